/* typemap.c: placeholder, being written */
#include "tap/status.h"
