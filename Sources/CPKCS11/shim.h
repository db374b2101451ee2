// The PKCS #11 v2.40 (Cryptoki) types, constants and CK_FUNCTION_LIST, from p11-kit's copy of the OASIS
// header (Debian: libp11-kit-dev, which installs it as /usr/include/p11-kit-1/p11-kit/pkcs11.h).
//
// Only declarations are used from Swift. No PKCS #11 library is linked at build time: the module an operator
// configures (an HSM vendor's library, or SoftHSM2 in tests) is loaded with dlopen at run time, and every call
// goes through the CK_FUNCTION_LIST its C_GetFunctionList returns. That is also why the target does not use
// `pkgConfig: "p11-kit-1"`: SwiftPM would add the .pc file's `-lp11-kit` to every executable's link line.
// With `pkg-config --cflags p11-kit-1` on the include path (as a C build would have it) the first form is
// found; without it, the path under the system include directory.
#ifndef CIVITAS_CPKCS11_SHIM_H
#define CIVITAS_CPKCS11_SHIM_H

#if __has_include(<p11-kit/pkcs11.h>)
#include <p11-kit/pkcs11.h>
#else
#include <p11-kit-1/p11-kit/pkcs11.h>
#endif

#endif
