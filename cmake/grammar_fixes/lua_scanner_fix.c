/* See lua_scanner_fix.h. The scanner state is {enum started; unsigned depth;}. */
#include <string.h>

void codeindex_lua_scanner_deserialize_original(void *payload, const char *buffer,
                                                unsigned int length);

void tree_sitter_lua_external_scanner_deserialize(void *payload, const char *buffer,
                                                  unsigned int length) {
  if (length != 2) memset(payload, 0, 2 * sizeof(int));
  codeindex_lua_scanner_deserialize_original(payload, buffer, length);
}
