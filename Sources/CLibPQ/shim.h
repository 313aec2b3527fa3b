#ifndef GAPTRACK_CLIBPQ_SHIM_H
#define GAPTRACK_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
