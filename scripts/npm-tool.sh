# Sourced by the scripts that need a pinned npm package: `npm_tool NAME@VERSION` installs it
# into .tools/NAME (once; concurrent callers, such as parallel tests, wait on a lock) and sets
# $node_modules to that folder's node_modules.
npm_tool() {
    local spec="$1" name="${1%@*}"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local tools="$root/.tools/$name"
    node_modules="$tools/node_modules"
    mkdir -p "$tools"
    (
        flock 9
        if [ ! -f "$tools/.installed-$spec" ]; then
            command -v npm >/dev/null || { echo "$spec needs Node.js and npm" >&2; exit 2; }
            [ -f "$tools/package.json" ] || echo '{"private": true}' > "$tools/package.json"
            npm install --silent --prefix "$tools" "$spec" >/dev/null 2>&1 || { echo "npm install $spec failed" >&2; exit 2; }
            touch "$tools/.installed-$spec"
        fi
    ) 9>"$tools/.lock"
}
