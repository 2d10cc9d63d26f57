#ifndef IMNPU_VERSION_H
#define IMNPU_VERSION_H
#define IMNPU_VERSION "0.1.0"
#endif
