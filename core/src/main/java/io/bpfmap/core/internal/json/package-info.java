/** bpfmap's own use of Jackson, not an API: reading layouts and masks given as JSON text. */
package io.bpfmap.core.internal.json;
