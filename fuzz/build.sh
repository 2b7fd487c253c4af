#!/bin/sh
# fuzz/build.sh - build the libFuzzer targets into a directory.
#
#   fuzz/build.sh OUTDIR
#
# Compiles the pipeline library (milter/STAGE/*.c without the two front
# ends in milter/programs/) once with ASan + UBSan + fuzzer coverage,
# then links each fuzz/fuzz_*.c against it.  Needs clang (libFuzzer is
# part of Debian's clang) and the -dev packages configure already needs;
# libmilter is not needed.  Does not touch the source tree.
set -eu

out=${1:?usage: fuzz/build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
CC=${CC:-clang}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

# libetpan's pkg-config --libs carries a Debian "-specs=..." linker spec
# that clang does not understand; drop it.
PKGS="libetpan sqlite3 libical libxml-2.0 json-c libzip nettle libpsl"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS | sed 's/-specs=[^ ]*//g')

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -g -O1 $SAN -D_GNU_SOURCE -I$out -I$top/include $PKG_CFLAGS \
 -DCME_SYSCONFDIR=\"/etc\" -DCME_LOCALSTATEDIR=\"/var\" \
 -DCME_PKGDATADIR=\"$top\" -DFUZZ_CALENDAR_DIR=\"$top/calendars\" \
 -Wall -Wextra -Wno-unused-parameter"

# configure's build-config.h is not needed: the library only reads
# PACKAGE_VERSION from it.
ver=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac" | head -n 1)
cat > "$out/build-config.h" <<EOH
/* written by fuzz/build.sh */
#define PACKAGE "cme-milter"
#define PACKAGE_VERSION "${ver:-fuzz}"
#define PACKAGE_STRING "cme-milter ${ver:-fuzz}"
EOH

# The library: coverage instrumentation without libFuzzer's main.
objs=""
pids=""
for src in "$top"/milter/*/*.c; do
	base=$(basename "$src" .c)
	case $src in */programs/*) continue ;; esac
	obj="$out/obj/$base.o"
	objs="$objs $obj"
	$CC $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
	pids="$pids $!"
	# a few at a time
	if [ "$(echo $pids | wc -w)" -ge "$JOBS" ]; then
		for p in $pids; do wait "$p"; done
		pids=""
	fi
done
for p in $pids; do wait "$p"; done
rm -f "$out/libcme-fuzz.a"
ar rcs "$out/libcme-fuzz.a" $objs

for t in "$here"/fuzz_*.c; do
	name=$(basename "$t" .c)
	$CC $CFLAGS -fsanitize=fuzzer "$t" "$out/libcme-fuzz.a" $PKG_LIBS \
		-lpthread -o "$out/$name"
	echo "built $out/$name"
done
