#!/usr/bin/env bash
# Makes the Debian package from a staged `make install PREFIX=/usr` tree:
#   tools/packaging/mkdeb.sh ROOT OUTDIR   -> OUTDIR/proclife_<version>_<arch>.deb
# Adds what Debian expects of a binary package (man page gzipped, copyright,
# changelog, DEBIAN/control, conffiles, md5sums, maintainer scripts) and builds it
# with dpkg-deb, every file owned by root. make deb runs it.
set -euo pipefail
root=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

version=$(sed -n 's/^#define PROCLIFE_VERSION "\(.*\)"$/\1/p' "$top/user/base/version.h")
[ -n "$version" ] || { echo "mkdeb: no PROCLIFE_VERSION in user/base/version.h" >&2; exit 1; }
arch=$(dpkg --print-architecture)
deb="$out/proclife_${version}_${arch}.deb"

# Debian policy: binaries stripped (the BPF object is data in .rodata: it stays).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/proclife"
# Debian policy: man pages gzipped (-n: no name or time in it, reproducible).
gzip -9nf "$root/usr/share/man/man8/proclife.8"

doc="$root/usr/share/doc/proclife"
install -d -m 0755 "$doc"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
# The changelog's date is the source's newest commit, else the version header's mtime.
date=$(git -C "$top" log -1 --format=%aD 2>/dev/null || date -R -r "$top/user/base/version.h")
printf 'proclife (%s) unstable; urgency=medium\n\n  * Packaged by make deb.\n\n -- proclife maintainers <proclife@localhost>  %s\n' \
	"$version" "$date" | gzip -9n > "$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"

install -d -m 0755 "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	"$here/debian/control.in" > "$root/DEBIAN/control"
printf '/etc/default/proclife\n/etc/logrotate.d/proclife\n' > "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "$here/debian/$s" "$root/DEBIAN/$s"
done
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
	> "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

dpkg-deb --build --root-owner-group "$root" "$deb"
