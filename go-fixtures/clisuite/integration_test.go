package clisuite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Deterministic outputs of the seed "alice" (ed25519 signatures are deterministic too).
const aliceFingerprint = "1c0c490f1b55"

func TestKeygen(t *testing.T) {
	dir := t.TempDir()

	r := runCmd(t, dir, "", "keygen", "-seed", "alice", "-o", "alice.key")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "wrote alice.key (alice, fingerprint ") {
		t.Fatalf("keygen: %+v", r)
	}
	data, err := os.ReadFile(filepath.Join(dir, "alice.key"))
	if err != nil || !strings.HasPrefix(string(data), "clisuite-key v1\nname: alice\n") {
		t.Fatalf("key file: %q, %v", data, err)
	}

	// The file exists: refused without -f.
	if r := runCmd(t, dir, "", "keygen", "-seed", "alice", "-o", "alice.key"); r.code != 1 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("second keygen: %+v", r)
	}
	// Random seed, explicit name, overwrite.
	if r := runCmd(t, dir, "", "keygen", "-f", "-name", "carol", "-o", "alice.key"); r.code != 0 || !strings.Contains(r.stdout, "(carol,") {
		t.Errorf("keygen -f: %+v", r)
	}
	// Usage errors exit 2.
	if r := runCmd(t, dir, "", "keygen"); r.code != 2 || !strings.Contains(r.stderr, "-o is required") {
		t.Errorf("keygen without -o: %+v", r)
	}
	if r := runCmd(t, dir, "", "keygen", "-bogus"); r.code != 2 {
		t.Errorf("keygen -bogus: %+v", r)
	}
}

func TestSignAndVerify(t *testing.T) {
	dir := t.TempDir()
	if r := runCmd(t, dir, "", "keygen", "-seed", "alice", "-o", "alice.key"); r.code != 0 {
		t.Fatalf("keygen: %+v", r)
	}

	r := runCmd(t, dir, "hello, world\n", "sign", "-key", "alice.key")
	sig := strings.TrimSpace(r.stdout)
	if r.code != 0 || len(sig) != 128 {
		t.Fatalf("sign: %+v", r)
	}
	if again := runCmd(t, dir, "hello, world\n", "sign", "-key", "alice.key"); strings.TrimSpace(again.stdout) != sig {
		t.Errorf("signatures differ: %s vs %s", again.stdout, sig)
	}

	if r := runCmd(t, dir, "hello, world\n", "sign", "-key", "alice.key", "-verify", sig); r.code != 0 || r.stdout != "signature ok\n" {
		t.Errorf("verify: %+v", r)
	}
	if r := runCmd(t, dir, "hello, world!\n", "sign", "-key", "alice.key", "-verify", sig); r.code != 3 || !strings.Contains(r.stderr, "bad signature") {
		t.Errorf("verify tampered: %+v", r)
	}
	if r := runCmd(t, dir, "x", "sign", "-key", "missing.key"); r.code != 1 || !strings.Contains(r.stderr, "missing.key") {
		t.Errorf("sign with a missing key: %+v", r)
	}
	if r := runCmd(t, dir, "x", "sign"); r.code != 1 || !strings.Contains(r.stderr, "-key is required") {
		t.Errorf("sign without -key: %+v", r)
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bob", "alice"} {
		if r := runCmd(t, dir, "", "keygen", "-seed", name, "-o", name+".key"); r.code != 0 {
			t.Fatalf("keygen %s: %+v", name, r)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.key"), []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, dir, "", "inspect", "bob.key", "alice.key")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "FILE") || !strings.HasPrefix(lines[1], "alice.key  alice") {
		t.Fatalf("inspect: %+v", r)
	}
	if !strings.HasSuffix(lines[1], aliceFingerprint) {
		t.Errorf("alice's fingerprint: %q, want suffix %s", lines[1], aliceFingerprint)
	}

	// A key on stdin, JSON output.
	alice, err := os.ReadFile(filepath.Join(dir, "alice.key"))
	if err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, dir, string(alice), "inspect", "-json", "-sort", "name", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"fingerprint":"`+aliceFingerprint+`"`) {
		t.Errorf("inspect -json -: %+v", r)
	}

	// Bad files: the good ones are still listed, the exit status is 1.
	r = runCmd(t, dir, "", "inspect", "junk.key", "nope.key", "bob.key")
	if r.code != 1 || !strings.Contains(r.stderr, "not a clisuite key file") || !strings.Contains(r.stdout, "bob.key") {
		t.Errorf("inspect bad files: %+v", r)
	}
	if r := runCmd(t, dir, "", "inspect"); r.code != 2 {
		t.Errorf("inspect without files: %+v", r)
	}
}
