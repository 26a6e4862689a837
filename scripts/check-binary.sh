#!/usr/bin/env bash
# Fails unless a binary can load on provided.al2023 (Amazon Linux 2023: glibc 2.34,
# GCC 11's libstdc++ up to GLIBCXX_3.4.29): it may need only libc, libm, libstdc++,
# libgcc_s and the loader, and no symbol version newer than those. Names the offender.
#
#   scripts/check-binary.sh dist/bootstrap
set -uo pipefail
bin=${1:?usage: check-binary.sh BINARY}
[ -f "$bin" ] || { echo "check-binary: $bin does not exist" >&2; exit 1; }
status=0

allowed='^(libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$'
while read -r lib; do
  if ! [[ $lib =~ $allowed ]]; then
    echo "check-binary: $bin needs $lib, which provided.al2023 may not have (link it statically)" >&2
    status=1
  fi
done < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')

# version_newer LIMIT VERSION: true when VERSION > LIMIT (dotted numbers).
version_newer() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" != "$1" ]; }

while read -r version symbol; do
  case "$version" in
    GLIBC_*) limit=2.34; number=${version#GLIBC_} ;;
    GLIBCXX_*) limit=3.4.29; number=${version#GLIBCXX_} ;;
    CXXABI_*) limit=1.3.13; number=${version#CXXABI_} ;;
    *) continue ;;
  esac
  if version_newer "$limit" "$number"; then
    echo "check-binary: $bin uses $symbol@$version, newer than provided.al2023 has (${version%%_*}_$limit)" >&2
    status=1
  fi
done < <(objdump -T "$bin" | awk '$0 ~ /\((GLIBC|GLIBCXX|CXXABI)_[0-9.]+\)/ { match($0, /\((GLIBC|GLIBCXX|CXXABI)_[0-9.]+\)/); v = substr($0, RSTART + 1, RLENGTH - 2); print v, $NF }' | sort -u)

if [ $status = 0 ]; then
  echo "check-binary: $bin loads on provided.al2023 (needs: $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '))"
fi
exit $status
