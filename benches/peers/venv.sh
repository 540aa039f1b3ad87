# Sourced by the Python peer scripts: `peer_venv VAR REQUIREMENT` sets $venv to the virtualenv
# named by $VAR if set (reused as is), else to a throwaway one with REQUIREMENT installed,
# removed when the script exits.
peer_venv() {
    venv="${!1:-}"
    if [ -z "$venv" ]; then
        venv="$(mktemp -d)/venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet "$2"
        trap 'rm -rf "$(dirname "$venv")"' EXIT
    fi
}
