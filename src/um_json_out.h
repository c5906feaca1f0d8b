/*
 * JSON output of the engine: values, strings, numbers and the provider's
 * raw JSON text (copied without insignificant whitespace, so remote_data is
 * byte for byte what the provider sent, numbers included).
 */

#ifndef _UM_JSON_OUT_H_INCLUDED_
#define _UM_JSON_OUT_H_INCLUDED_


#include "um_str.h"
#include "um_value.h"


#define UM_JSON_OMIT_NULL   0x01    /* drop object members that are null */


void um_json_str(um_buf_t *b, const char *s, size_t len);
void um_json_num(um_buf_t *b, double n);

/* writes v; UM_UNDEF writes nothing and returns 0, else returns 1 */
int um_json_value(um_buf_t *b, um_value_t v, unsigned flags);

/* copies valid JSON text without whitespace outside strings */
void um_json_minify(um_buf_t *b, const char *raw, size_t len);


#endif /* _UM_JSON_OUT_H_INCLUDED_ */
