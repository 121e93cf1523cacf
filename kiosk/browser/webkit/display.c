//go:build webview && linux

#include "display.h"

// kiosk_set_zoom sets the page zoom of the view (the whole page, not the
// text only). WebKit keeps it across the view's navigations.
void kiosk_set_zoom(WebKitWebView *view, double level) {
  webkit_settings_set_zoom_text_only(webkit_web_view_get_settings(view), FALSE);
  webkit_web_view_set_zoom_level(view, level);
}

// The kiosk's user style sheets: for every page, and for the portal's
// pages only. Only these are removed, not other user style sheets.
static WebKitUserStyleSheet *kiosk_sheet_all = NULL, *kiosk_sheet_portal = NULL;

static void replace_sheet(WebKitUserContentManager *m, WebKitUserStyleSheet **slot, const char *css,
                          const char *const *allow) {
  if (*slot != NULL) {
    webkit_user_content_manager_remove_style_sheet(m, *slot);
    webkit_user_style_sheet_unref(*slot);
    *slot = NULL;
  }
  if (css == NULL || *css == '\0') {
    return;
  }
  *slot = webkit_user_style_sheet_new(css, WEBKIT_USER_CONTENT_INJECT_ALL_FRAMES,
                                      WEBKIT_USER_STYLE_LEVEL_USER, allow, NULL);
  webkit_user_content_manager_add_style_sheet(m, *slot);
}

// kiosk_set_user_styles replaces the kiosk's user style sheets; an empty
// string removes one. User level: their !important rules beat the page's.
void kiosk_set_user_styles(WebKitWebView *view, const char *all, const char *portal) {
  WebKitUserContentManager *m = webkit_web_view_get_user_content_manager(view);
  static const char *const on_portal[] = {"http://kiosk.invalid/*", NULL};
  replace_sheet(m, &kiosk_sheet_all, all, NULL);
  replace_sheet(m, &kiosk_sheet_portal, portal, on_portal);
}
