// Package keys holds the key format shared by keygen, sign and inspect.
package keys

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// header is the first line of every key file.
const header = "clisuite-key v1"

// ErrFormat is returned for files that are not key files.
var ErrFormat = errors.New("not a clisuite key file")

// Key is a named ed25519 key pair.
type Key struct {
	Name    string
	Private ed25519.PrivateKey
}

// FromSeed derives a key deterministically, so tests can check exact output.
func FromSeed(name, seed string) Key {
	sum := sha256.Sum256([]byte(seed))
	return Key{Name: name, Private: ed25519.NewKeyFromSeed(sum[:])}
}

// Public returns the public half.
func (k Key) Public() ed25519.PublicKey {
	return k.Private.Public().(ed25519.PublicKey)
}

// Fingerprint is a short, stable identifier of the public key.
func (k Key) Fingerprint() string {
	sum := sha256.Sum256(k.Public())
	return hex.EncodeToString(sum[:6])
}

// Write stores the key in the text format Read understands.
func (k Key) Write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%s\nname: %s\nseed: %s\n", header, k.Name, hex.EncodeToString(k.Private.Seed()))
	return err
}

// Read parses a key file.
func Read(r io.Reader) (Key, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() || sc.Text() != header {
		return Key{}, ErrFormat
	}
	fields := map[string]string{}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			return Key{}, fmt.Errorf("%w: bad line %q", ErrFormat, line)
		}
		fields[name] = value
	}
	if err := sc.Err(); err != nil {
		return Key{}, err
	}
	seed, err := hex.DecodeString(fields["seed"])
	if err != nil || len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("%w: bad seed", ErrFormat)
	}
	return Key{Name: fields["name"], Private: ed25519.NewKeyFromSeed(seed)}, nil
}

// Sign signs msg and returns the hex signature.
func (k Key) Sign(msg []byte) string {
	return hex.EncodeToString(ed25519.Sign(k.Private, msg))
}

// Verify checks a hex signature of msg.
func (k Key) Verify(msg []byte, sig string) (bool, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return false, fmt.Errorf("signature is not hex: %w", err)
	}
	return ed25519.Verify(k.Public(), msg, raw), nil
}

// Rotate derives the next key of a chain. No command uses it: code that no test reaches.
func (k Key) Rotate() Key {
	next := FromSeed(k.Name, hex.EncodeToString(k.Private.Seed()))
	if next.Fingerprint() == k.Fingerprint() {
		panic("rotation produced the same key")
	}
	return next
}
