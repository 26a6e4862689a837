#!/usr/bin/env bash
# Builds a minimal static libcurl (HTTP/HTTPS only, OpenSSL, zlib) from Debian's own
# curl source, and gathers Debian's static OpenSSL and zlib beside it, so the bootstrap
# links them in and needs nothing from the Lambda image but libc, libm, libstdc++ and
# libgcc_s. Idempotent: does nothing when the libraries for this source version exist.
#
#   scripts/build-static-curl.sh PREFIX      (make uses .tools/static)
#
# To take a curl or OpenSSL security fix: `apt-get update && apt-get upgrade libssl-dev`
# (OpenSSL and zlib come from Debian's -dev packages), then `rm -rf PREFIX` and build
# again: the newest Debian curl source is fetched.
set -euo pipefail
prefix=$(realpath -m "${1:?usage: build-static-curl.sh PREFIX}")
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
multiarch=$(gcc -print-multiarch)

if [ -f "$prefix/lib/libcurl.a" ] && [ -f "$prefix/lib/libcrypto.a" ] && [ -f "$prefix/.complete" ]; then
  exit 0
fi

# Debian's source packages: the deb-src twin of the configured deb entries.
if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -q Sources; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    grep -q '^Types:.*deb-src' "$f" && continue
    sed 's/^Types: deb$/Types: deb-src/' "$f" | $sudo tee "/etc/apt/sources.list.d/src-$(basename "$f")" >/dev/null
  done
  if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $sudo tee /etc/apt/sources.list.d/src-list.list >/dev/null
  fi
  $sudo apt-get update -qq
fi
command -v dpkg-source >/dev/null || $sudo apt-get install -y -qq dpkg-dev >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq curl >/dev/null 2>&1)
src=$(find "$work" -maxdepth 1 -type d -name 'curl-*' | head -1)
[ -n "$src" ] || { echo "apt-get source curl produced no source tree" >&2; exit 1; }
echo "building static libcurl from $(basename "$src") into $prefix"

cd "$src"
./configure --prefix="$prefix" --disable-shared --enable-static --with-pic \
  --with-openssl --with-zlib --without-libpsl --without-brotli --without-zstd --without-nghttp2 \
  --without-nghttp3 --without-ngtcp2 --without-libidn2 --without-librtmp --without-libssh2 --without-libssh \
  --without-gssapi --without-libgsasl --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
  --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher \
  --disable-mqtt --disable-ftp --disable-file --disable-manual --disable-alt-svc \
  --disable-ntlm --disable-unix-sockets --without-ca-bundle --without-ca-path >/dev/null
make -j"$(nproc)" -C lib >/dev/null
make -C lib install >/dev/null
make -C include install >/dev/null
for lib in libssl.a libcrypto.a libz.a; do
  cp "/usr/lib/$multiarch/$lib" "$prefix/lib/"
done
rm -f "$prefix"/lib/*.la "$prefix"/lib/*.so*
echo "$(basename "$src")" > "$prefix/.complete"
ls -l "$prefix/lib"
