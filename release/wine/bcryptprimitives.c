/* Test-only stand-in for Windows' bcryptprimitives.dll, which Debian's Wine 8 lacks: Rust's
 * std (1.78+) gets random bytes from its ProcessPrng, so without it choreo.exe fails to start
 * (status c0000135). This forwards to advapi32's RtlGenRandom (SystemFunction036), the
 * system RNG Wine does have. Built by release/test-windows.sh next to the .exe under test;
 * never shipped: real Windows 10+ has the DLL. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
