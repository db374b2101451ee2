# shellcheck shell=bash
#
# SoftHSM2, the software PKCS #11 token that the Trust block's PKCS#11 key store is tested against
# (Tests/TrustTests/PKCS11KeyStoreTests.swift).
#
# scripts/test installs two Debian packages before it builds:
#   softhsm2        the module /usr/lib/softhsm/libsofthsm2.so and softhsm2-util (run time, tests only)
#   libp11-kit-dev  the PKCS #11 header /usr/include/p11-kit-1/p11-kit/pkcs11.h that the CPKCS11 target
#                   compiles against (build time; nothing is linked: modules are loaded with dlopen)
# Each test makes its own throwaway token (a softhsm2.conf whose directories.tokendir is a temporary
# directory, then softhsm2-util --init-token), so nothing here creates or removes one.
#
#     softhsm_available || missing+=(softhsm2)

# Succeeds if SoftHSM2's module and softhsm2-util are installed.
softhsm_available() {
    [[ -r /usr/lib/softhsm/libsofthsm2.so ]] && command -v softhsm2-util >/dev/null 2>&1
}
