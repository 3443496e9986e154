; evil: the real-mode round trip of guests/realmode (leave long mode, VMCALL in real mode, come back),
; assembled here from the same source so that the two guests cannot drift apart.
%include "guests/realmode/blob.asm"
