/* A static program whose image (a 64 MiB bss) is larger than a small guest's RAM. */
static char big[64 << 20];
int main(void) { big[0] = 1; return big[1]; }
