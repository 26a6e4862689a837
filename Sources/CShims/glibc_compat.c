// provided.al2023 ships glibc 2.34. Swift's static Glibc overlay references
// hypot/hypotf at their GLIBC_2.35 versions; defining them here, forwarding to
// the versions every glibc has, keeps the binary loadable there.
// (A symbol defined in the executable wins over the library's.)
#include <features.h>
#if defined(__linux__) && defined(__GLIBC__)
#if defined(__x86_64__)
#define CSHIM_OLD_LIBM "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define CSHIM_OLD_LIBM "GLIBC_2.17"
#endif
#ifdef CSHIM_OLD_LIBM
extern double cshim_hypot_old(double, double);
extern float cshim_hypotf_old(float, float);
__asm__(".symver cshim_hypot_old,hypot@" CSHIM_OLD_LIBM);
__asm__(".symver cshim_hypotf_old,hypotf@" CSHIM_OLD_LIBM);
double hypot(double x, double y) { return cshim_hypot_old(x, y); }
float hypotf(float x, float y) { return cshim_hypotf_old(x, y); }
#endif
#endif
