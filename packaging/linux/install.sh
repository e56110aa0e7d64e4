#!/usr/bin/env bash
# Installs the unpacked Campaign Studio folder for the current user: a launcher, the
# icon, the menu entry and the workspace file type. Run from the unpacked tarball.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
mkdir -p "$prefix/opt" "$prefix/bin" "$prefix/share/applications" \
         "$prefix/share/icons/hicolor/256x256/apps" "$prefix/share/mime/packages"
rm -rf "$prefix/opt/campaign-studio"
cp -r "$here/campaign-studio" "$prefix/opt/campaign-studio"
ln -sf "$prefix/opt/campaign-studio/campaign-studio" "$prefix/bin/campaign-studio"
cp "$here/campaign-studio.png" "$prefix/share/icons/hicolor/256x256/apps/campaign-studio.png"
sed "s|^Exec=campaign-studio|Exec=$prefix/bin/campaign-studio|" "$here/campaign-studio.desktop" \
    > "$prefix/share/applications/campaign-studio.desktop"
cp "$here/campaign-studio-mime.xml" "$prefix/share/mime/packages/"
command -v update-mime-database >/dev/null && update-mime-database "$prefix/share/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/share/applications" || true
echo "Installed. Start it from the menu or run: $prefix/bin/campaign-studio"
