/*
 * LZO1X decompression, our own: liblzo2 is GPL and fwvet is MIT.  Safe on
 * hostile input: every read and write is bounds-checked.
 */
#ifndef FV_UNPACK_CODEC_LZO1X_H
#define FV_UNPACK_CODEC_LZO1X_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decompresses one LZO1X block (any of lzo1x_1, _1_15, _999 output).
 * *outlen holds the capacity of out on entry and the bytes produced on
 * return; *consumed the input bytes up to and including the end marker.
 * Returns 0, FV_ETRUNC (input ended early), FV_ELIMIT (out too small) or
 * FV_EFORMAT (a back reference before the start of the output).
 */
int fv_lzo1x_decompress(const uint8_t *in, size_t inlen, uint8_t *out, size_t *outlen,
			size_t *consumed);

#endif
