// C side of the browser process (WebKitGTK). Built only with the webview tag.
#ifndef KIOSK_GTK_H
#define KIOSK_GTK_H

#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

// The C API of webview_go's library (linked through its Go package).
typedef void *webview_t;
webview_t webview_create(int debug, void *window);
void webview_destroy(webview_t w);
void webview_run(webview_t w);
void webview_terminate(webview_t w);
void *webview_get_window(webview_t w);
void webview_navigate(webview_t w, const char *url);
void webview_set_html(webview_t w, const char *html);
// Not webview_eval nor webview_return: they evaluate through a handle
// that webview opens as "libwebkit2gtk-4.0.so", the -dev package's
// symlink, and do nothing at all on a PC that has only the runtime library
// (kiosk_page_eval instead; gtk.go's Reply). Upstream: webview/webview_go
// issue 53, "Eval not working for users without libwebkit2gtk-4.0-dev".

void kiosk_bind(webview_t w, const char *name, long index);
void kiosk_dispatch(long id);
void kiosk_sandbox(void);
WebKitWebView *kiosk_setup(GtkWidget *window, const char *proxy, int windowed);
void kiosk_load(WebKitWebView *view, const char *uri);
int kiosk_go_back(WebKitWebView *view);
const char *kiosk_uri(WebKitWebView *view);
int kiosk_main_status(WebKitWebView *view);
void kiosk_clear_clipboard(void);
void kiosk_eval(WebKitWebView *view, const char *js, long id);
void kiosk_terminate_web_process(WebKitWebView *view);
void kiosk_probe(WebKitWebView *view);
void kiosk_set_printer(const char *name);
void kiosk_print(WebKitWebView *view);
int kiosk_chooser_answer(const char *path);
void kiosk_toolbar(WebKitWebView *view, const char *js);
void kiosk_toolbar_eval(WebKitWebView *view, const char *js);
void kiosk_page_eval(WebKitWebView *view, const char *js);
void kiosk_type_text(WebKitWebView *view, const char *text, int fallback);
void kiosk_press_key(WebKitWebView *view, guint keyval);

#endif
