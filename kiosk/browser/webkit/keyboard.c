//go:build webview && linux

#include "gtk.h"

// The on-screen keyboard's keys reach the page as the toolkit's own key
// events (docs/shell.md, "On-screen keyboard"): WebKit makes trusted
// keydown/keypress/input/keyup events of them, which sites' scripts accept
// like a physical keyboard's.

// send_key sends one press and one release of keyval to the view, with the
// keymap's hardware keycode when the current keymap has the key (and the
// level's Shift), else keycode 0: WebKit's input method still commits the
// character from the keyval (gdk_keyval_to_unicode).
static void send_key(WebKitWebView *view, guint keyval) {
  GtkWidget *w = GTK_WIDGET(view);
  GdkWindow *win = gtk_widget_get_window(w);
  if (win == NULL) {
    return;
  }
  GdkDisplay *disp = gtk_widget_get_display(w);
  GdkKeymap *km = gdk_keymap_get_for_display(disp);
  GdkKeymapKey *keys = NULL;
  gint n = 0;
  guint16 code = 0;
  guint8 group = 0;
  GdkModifierType state = 0;
  if (gdk_keymap_get_entries_for_keyval(km, keyval, &keys, &n) && n > 0) {
    code = (guint16)keys[0].keycode;
    group = (guint8)keys[0].group;
    if (keys[0].level == 1) {
      state |= GDK_SHIFT_MASK;
    }
  }
  g_free(keys);
  GdkSeat *seat = gdk_display_get_default_seat(disp);
  GdkDevice *kbd = seat ? gdk_seat_get_keyboard(seat) : NULL;
  GdkEventType types[] = {GDK_KEY_PRESS, GDK_KEY_RELEASE};
  for (int i = 0; i < 2; i++) {
    GdkEvent *ev = gdk_event_new(types[i]);
    ev->key.window = g_object_ref(win);
    ev->key.send_event = FALSE;
    ev->key.time = GDK_CURRENT_TIME;
    ev->key.keyval = keyval;
    ev->key.state = state;
    ev->key.hardware_keycode = code;
    ev->key.group = group;
    ev->key.is_modifier = 0;
    if (kbd != NULL) {
      gdk_event_set_device(ev, kbd);
    }
    gtk_widget_event(w, ev);
    gdk_event_free(ev);
  }
}

// has_keycode reports whether the current keymap has a key for keyval.
static int has_keycode(WebKitWebView *view, guint keyval) {
  GdkKeymap *km = gdk_keymap_get_for_display(gtk_widget_get_display(GTK_WIDGET(view)));
  GdkKeymapKey *keys = NULL;
  gint n = 0;
  int ok = gdk_keymap_get_entries_for_keyval(km, keyval, &keys, &n) && n > 0;
  g_free(keys);
  return ok;
}

// kiosk_type_text types the UTF-8 text into the view's focused element,
// one key event per character. With fallback, a character the keymap has
// no key for is inserted with WebKit's "InsertText" editing command.
void kiosk_type_text(WebKitWebView *view, const char *text, int fallback) {
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    guint keyval = gdk_unicode_to_keyval(c);
    if (fallback && !has_keycode(view, keyval)) {
      char buf[8] = {0};
      g_unichar_to_utf8(c, buf);
      webkit_web_view_execute_editing_command_with_argument(view, "InsertText", buf);
      continue;
    }
    send_key(view, keyval);
  }
}

// kiosk_press_key presses the named key's keyval (Backspace, Enter...).
void kiosk_press_key(WebKitWebView *view, guint keyval) { send_key(view, keyval); }
