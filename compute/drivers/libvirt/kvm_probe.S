/* KVM probe boot sector (compute/drivers/libvirt/kvm_probe.py runs it).
   Real mode -> 32-bit protected mode (int/iret through an IDT) -> 64-bit long mode with
   paging (int/iretq) -> "KVMPROBE-OK" on COM1 -> isa-debug-exit.  Hosts whose /dev/kvm
   cannot emulate these steps (nested or paravirtual KVM) stop with a KVM internal error.
   Build: as --64 -o p.o kvm_probe.S && ld -Ttext=0x7c00 --oformat binary -o p.bin p.o */
        .code16
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %ss
        movw $0x7c00, %sp
        lgdtl gdt_desc
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmpl $0x08, $pm32
        .code32
pm32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl $0x7c00, %esp
        movl $0x1000, %edi
        xorl %eax, %eax
        movl $0x1400, %ecx
        rep stosl
        movl $h32, %eax
        orl $0x00080000, %eax
        movl %eax, 0x4100
        movl $0x8e00, 0x4104
        lidtl idt32_desc
        int $0x20
        movl $0x2003, 0x1000
        movl $0x3003, 0x2000
        movl $0x83, 0x3000
        movl $0x1000, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $0x20, %eax
        movl %eax, %cr4
        movl $0xc0000080, %ecx
        rdmsr
        orl $0x100, %eax
        wrmsr
        movl %cr0, %eax
        orl $0x80000000, %eax
        movl %eax, %cr0
        ljmpl $0x18, $lm64
        .code64
lm64:
        movl $h64, %eax
        orl $0x00180000, %eax
        movl %eax, 0x5210
        movl $0x8e00, 0x5214
        lidtq idt64_desc
        int $0x21
        movl $msg, %esi
        movw $0x3f8, %dx
1:      lodsb
        testb %al, %al
        jz 2f
        outb %al, %dx
        jmp 1b
2:      movw $0xf4, %dx
        movb $0x10, %al
        outb %al, %dx
3:      hlt
        jmp 3b
        .code32
h32:    iret
        .code64
h64:    iretq
msg:    .asciz "KVMPROBE-OK\n"
        .balign 8
gdt:    .quad 0
        .quad 0x00cf9a000000ffff
        .quad 0x00cf92000000ffff
        .quad 0x00af9a000000ffff
gdt_desc:
        .word 31
        .long gdt
idt32_desc:
        .word 0x21 * 8 - 1
        .long 0x4000
idt64_desc:
        .word 0x22 * 16 - 1
        .quad 0x5000
        .org 510
        .word 0xaa55
