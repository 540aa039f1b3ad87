# Sourced by the scripts that need a pinned npm package: `npm_tool NAME@VERSION` installs it
# into .tools/NAME (once) and sets $node_modules to that folder's node_modules.
npm_tool() {
    local spec="$1" name="${1%@*}"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local tools="$root/.tools/$name"
    node_modules="$tools/node_modules"
    if [ ! -f "$node_modules/$name/package.json" ]; then
        command -v npm >/dev/null || { echo "$spec needs Node.js and npm" >&2; return 2; }
        mkdir -p "$tools"
        [ -f "$tools/package.json" ] || echo '{"private": true}' > "$tools/package.json"
        npm install --silent --prefix "$tools" "$spec" >/dev/null 2>&1
    fi
}
