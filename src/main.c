#include "tap/status.h"
int main(void) { return 0; }
