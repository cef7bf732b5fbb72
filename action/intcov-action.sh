#!/usr/bin/env bash
# The logic of the intcov GitHub Action (action.yml at the repository root), kept here so it
# runs and is tested outside GitHub: `intcov-action.sh install` puts intcov on PATH,
# `intcov-action.sh run` runs `intcov test` and reports. Inputs arrive as INPUT_* variables;
# results go where Actions reads them (GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY).
set -euo pipefail

die() {
  echo "::error::intcov action: $*" >&2
  exit 1
}

need_env() {
  for v in "$@"; do
    [ -n "${!v:-}" ] || die "$v is not set (is this running inside GitHub Actions?)"
  done
}

# The release target of this runner, as `cargo xtask dist` names its archives.
runner_target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The release to install: the input, else the action's own tag (uses: …/intcov@v0.1.0), else
# the latest release.
release_version() {
  local v="${INPUT_VERSION:-}"
  if [ -z "$v" ] && [[ "${INTCOV_ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    v="$INTCOV_ACTION_REF"
  fi
  if [ -z "$v" ] || [ "$v" = latest ]; then
    local auth=()
    [ -z "${GITHUB_TOKEN:-}" ] || auth=(-H "Authorization: Bearer $GITHUB_TOKEN")
    v=$(curl -fsSL "${auth[@]}" "https://api.github.com/repos/$INTCOV_REPOSITORY/releases/latest" |
      sed -nE 's/.*"tag_name": *"([^"]+)".*/\1/p' | head -n1) ||
      return 1
    [ -n "$v" ] || return 1
  fi
  echo "${v#v}"
}

# Download the release archive for this runner, check its sha256, unpack it into $1.
install_binary() {
  local dest="$1" target version base stem archive
  target=$(runner_target) || {
    echo "intcov action: no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}" >&2
    return 1
  }
  version=$(release_version) || {
    echo "intcov action: cannot tell which release to install" >&2
    return 1
  }
  base="${INTCOV_RELEASE_BASE_URL:-https://github.com/$INTCOV_REPOSITORY/releases/download/v$version}"
  stem="intcov-$version-$target"
  archive="$stem.tar.gz"
  [[ "$target" != *windows* ]] || archive="$stem.zip"
  local tmp="$RUNNER_TEMP/intcov-download"
  rm -rf "$tmp" && mkdir -p "$tmp"
  echo "intcov action: downloading $base/$archive"
  curl -fsSL --retry 3 -o "$tmp/$archive" "$base/$archive" || return 1
  curl -fsSL --retry 3 -o "$tmp/$archive.sha256" "$base/$archive.sha256" || return 1
  local want got
  want=$(cut -d' ' -f1 <"$tmp/$archive.sha256")
  got=$(sha256_of "$tmp/$archive")
  if [ "$want" != "$got" ]; then
    # A damaged or tampered download is an error, never a reason to fall back.
    die "$archive: sha256 $got does not match the published $want"
  fi
  case "$archive" in
    *.zip) # Git Bash's tar is GNU tar, which cannot read zip files.
      if command -v unzip >/dev/null; then
        unzip -q -o "$tmp/$archive" -d "$tmp"
      else
        7z x -y -o"$tmp" "$tmp/$archive" >/dev/null
      fi
      ;;
    *) tar -xzf "$tmp/$archive" -C "$tmp" ;;
  esac
  mkdir -p "$dest"
  cp "$tmp/$stem"/intcov* "$dest/"
}

cmd_install() {
  need_env RUNNER_TEMP GITHUB_PATH
  local mode="${INPUT_INSTALL_MODE:-binary}" bin="$RUNNER_TEMP/intcov-bin"
  case "$mode" in
    path)
      command -v intcov >/dev/null || die "install-mode: path, but intcov is not on PATH"
      ;;
    binary | cargo)
      if [ "$mode" = binary ] && install_binary "$bin"; then
        echo "$bin" >>"$GITHUB_PATH"
        export PATH="$bin:$PATH"
      else
        [ "$mode" = cargo ] || echo "intcov action: no release binary; building with cargo install"
        command -v cargo >/dev/null || die "cargo is not on PATH for the cargo install fallback"
        local version ref=()
        version="${INPUT_VERSION:-}"
        [ -n "$version" ] || [[ ! "${INTCOV_ACTION_REF:-}" =~ ^v[0-9] ]] || version="$INTCOV_ACTION_REF"
        [ -z "$version" ] || [ "$version" = latest ] || ref=(--tag "v${version#v}")
        cargo install --locked --root "$RUNNER_TEMP/intcov-cargo" \
          --git "https://github.com/$INTCOV_REPOSITORY" "${ref[@]}" intcov
        echo "$RUNNER_TEMP/intcov-cargo/bin" >>"$GITHUB_PATH"
        export PATH="$RUNNER_TEMP/intcov-cargo/bin:$PATH"
      fi
      ;;
    *) die "install-mode must be binary, cargo or path, not '$mode'" ;;
  esac
  intcov --version
}

# The percentage of the last `total: X%` / `patch: X%` line of a log.
last_percent() {
  sed -nE "s/^$1: ([0-9]+(\.[0-9]+)?)%.*/\1/p" "$2" | tail -n1
}

cmd_run() {
  need_env RUNNER_TEMP GITHUB_OUTPUT GITHUB_STEP_SUMMARY
  command -v intcov >/dev/null || die "intcov is not on PATH (run the install step first)"
  cd "${INPUT_WORKING_DIRECTORY:-.}"
  local out="${INPUT_OUTPUT_DIR:-$RUNNER_TEMP/intcov}"
  mkdir -p "$out"
  out=$(cd "$out" && pwd)

  local args=(test --out "$out" --coverprofile "$out/coverage.out" --markdown "$out/summary.md")
  local formats list="${INPUT_FORMATS:-}"
  read -r -a formats <<<"${list//,/ }"
  for f in "${formats[@]}"; do
    case "$f" in
      markdown | coverprofile) ;; # always written
      lcov) args+=(--lcov "$out/lcov.info") ;;
      cobertura) args+=(--cobertura "$out/cobertura.xml") ;;
      json) args+=(--json "$out/coverage.json") ;;
      html) args+=(--html "$out/html") ;;
      *) die "formats: unknown format '$f' (lcov, cobertura, json, html, markdown)" ;;
    esac
  done
  [ -z "${INPUT_HTML_ARTIFACT:-}" ] || [[ " ${formats[*]} " == *" html "* ]] || args+=(--html "$out/html")
  [ -z "${INPUT_MIN_COVERAGE:-}" ] || args+=(--min-coverage "$INPUT_MIN_COVERAGE")
  # go test flags and packages are split on white space.
  local go_args packages
  read -r -a go_args <<<"${INPUT_GO_TEST_ARGS:-}"
  read -r -a packages <<<"${INPUT_PACKAGES:-./...}"

  echo "intcov ${args[*]} ${go_args[*]} ${packages[*]}"
  local status=0
  # pipefail: the pipeline's status is intcov's.
  intcov "${args[@]}" "${go_args[@]}" "${packages[@]}" | tee "$out/test.log" || status=$?

  local total
  total=$(last_percent total "$out/test.log")
  echo "coverage=$total" >>"$GITHUB_OUTPUT"
  echo "report-dir=$out" >>"$GITHUB_OUTPUT"
  if [ -s "$out/summary.md" ]; then
    cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
  else
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '### intcov\n\n`intcov test` wrote no summary (exit status %s).\n' "$status" >>"$GITHUB_STEP_SUMMARY"
  fi
  [ -n "$total" ] || echo "::warning::intcov test printed no total coverage"

  run_gate || status=$?
  exit "$status"
}

# Patch coverage with `intcov check` (`git diff BASE...HEAD`), against diff-base or, on a pull
# request, its base branch. The merge base must be in the clone: a shallow one is deepened.
run_gate() {
  local base="${INPUT_DIFF_BASE:-}"
  if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
    git fetch --no-tags --quiet origin "+refs/heads/$GITHUB_BASE_REF:refs/remotes/origin/$GITHUB_BASE_REF" ||
      die "cannot fetch the pull request's base branch $GITHUB_BASE_REF"
    base="origin/$GITHUB_BASE_REF"
  fi
  [ -n "$base" ] || [ -n "${INPUT_MIN_PATCH:-}" ] || return 0
  [ -n "$base" ] || die "min-patch needs diff-base (or a pull_request event)"
  if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    echo "intcov action: shallow clone; fetching the history patch coverage needs"
    git fetch --no-tags --quiet --unshallow origin || true
  fi
  local gate=(check -i="$out/covdata" --diff-base "$base" --markdown "$out/gate.md")
  [ -z "${INPUT_MIN_PATCH:-}" ] || gate+=(--min-patch "$INPUT_MIN_PATCH")
  echo "intcov ${gate[*]}"
  local status=0
  intcov "${gate[@]}" | tee "$out/check.log" || status=$?
  echo "patch-coverage=$(last_percent patch "$out/check.log")" >>"$GITHUB_OUTPUT"
  [ ! -s "$out/gate.md" ] || { echo; cat "$out/gate.md"; } >>"$GITHUB_STEP_SUMMARY"
  return "$status"
}

case "${1:-}" in
  install) cmd_install ;;
  run) cmd_run ;;
  *) die "usage: intcov-action.sh install|run" ;;
esac
