// Display settings of the browser process (zoom, user style sheets). Built
// only with the webview tag.
#ifndef KIOSK_DISPLAY_H
#define KIOSK_DISPLAY_H

#include <webkit2/webkit2.h>

void kiosk_set_zoom(WebKitWebView *view, double level);
void kiosk_set_user_styles(WebKitWebView *view, const char *all, const char *portal);

#endif
