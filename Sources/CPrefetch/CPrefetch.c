// The header's functions are static inline: this file only makes the target a C module.
#include "CPrefetch.h"
