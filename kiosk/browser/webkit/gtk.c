//go:build webview && linux

#include <string.h>
#include "gtk.h"
#include "_cgo_export.h"

// Load events passed to goLoadEvent.
enum { KIOSK_LOAD_COMMITTED = 1, KIOSK_LOAD_FINISHED = 2 };

static gboolean refuse(void) { return TRUE; }

struct later {
  WebKitWebView *view;
  char *uri;
};

static gboolean on_later(gpointer data) {
  struct later *l = data;
  webkit_web_view_load_uri(l->view, l->uri);
  g_object_unref(l->view);
  g_free(l->uri);
  g_free(l);
  return G_SOURCE_REMOVE;
}

// load_later loads uri from the main loop, outside the signal handler.
static void load_later(WebKitWebView *view, const char *uri) {
  struct later *l = g_new0(struct later, 1);
  l->view = g_object_ref(view);
  l->uri = g_strdup(uri);
  g_idle_add_full(G_PRIORITY_HIGH_IDLE, on_later, l, NULL);
}

// decide-policy is where a navigation is decided (docs/shell.md,
// "Navigation policy"; the decisions are Go's, kiosk/browser/events_linux.go
// and policy.go): NAVIGATION_ACTION and NEW_WINDOW_ACTION ask goDecide;
// the main frame's main resource, at its RESPONSE (after every redirect),
// asks goMainFrame, the allowlist check, as does notify::uri (on_uri)
// before the request. Responses WebKit cannot display (downloads) are
// refused, so no file is written. load-changed decides nothing: it only
// records the committed page (on_load_changed).
static gboolean on_decide_policy(WebKitWebView *view, WebKitPolicyDecision *d,
                                 WebKitPolicyDecisionType type, gpointer data) {
  switch (type) {
  case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
  case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION: {
    // NAVIGATION_ACTION comes for subframes too, and WebKitGTK does not say
    // which frame: Go refuses the schemes no frame may load here; the main
    // frame is checked against the allowlist at its main resource's
    // RESPONSE decision (below) and on notify::uri (on_uri).
    WebKitNavigationAction *a = webkit_navigation_policy_decision_get_navigation_action(
        WEBKIT_NAVIGATION_POLICY_DECISION(d));
    const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(a));
    char *redirect = NULL;
    int action = goDecide((char *)(uri ? uri : ""),
                          type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION, &redirect);
    if (action == 0) {
      webkit_policy_decision_use(d);
    } else {
      webkit_policy_decision_ignore(d);
      if (redirect != NULL) {
        load_later(view, redirect);
      }
    }
    free(redirect);
    return TRUE;
  }
  case WEBKIT_POLICY_DECISION_TYPE_RESPONSE: {
    WebKitResponsePolicyDecision *r = WEBKIT_RESPONSE_POLICY_DECISION(d);
    WebKitURIResponse *resp = webkit_response_policy_decision_get_response(r);
    SoupMessageHeaders *h = webkit_uri_response_get_http_headers(resp);
    const char *disp = h ? soup_message_headers_get_one(h, "Content-Disposition") : NULL;
    while (disp != NULL && (*disp == ' ' || *disp == '\t')) {
      disp++;
    }
    const char *mime = webkit_uri_response_get_mime_type(resp);
    int pdf = mime && strcmp(mime, "application/pdf") == 0;
    int attachment = disp && g_ascii_strncasecmp(disp, "attachment", 10) == 0;
    if (webkit_response_policy_decision_is_main_frame_main_resource(r)) {
      // The main frame's page, after any redirect: refused hosts never
      // commit (no history entry), the blocked page loads instead.
      char *redirect = NULL;
      const char *uri = webkit_uri_response_get_uri(resp);
      if (goMainFrame((char *)(uri ? uri : ""), &redirect) != 0) {
        webkit_policy_decision_ignore(d);
        if (redirect != NULL) {
          load_later(view, redirect);
        }
        free(redirect);
        return TRUE;
      }
    }
    if (!webkit_response_policy_decision_is_mime_type_supported(r) || (attachment && !pdf)) {
      webkit_policy_decision_ignore(d);
      goDownloadRefused((char *)webkit_uri_response_get_uri(resp), (char *)(mime ? mime : ""));
      return TRUE;
    }
    // An attached PDF is shown, not saved.
    webkit_policy_decision_use(d);
    return TRUE;
  }
  default:
    return FALSE;
  }
}

// create (window.open): no new window, ever; an allowed URL loads in the
// same view, like target=_blank in decide-policy.
static GtkWidget *on_create(WebKitWebView *view, WebKitNavigationAction *a, gpointer data) {
  const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(a));
  char *redirect = NULL;
  goDecide((char *)(uri ? uri : ""), 1, &redirect);
  if (redirect != NULL) {
    load_later(view, redirect);
  }
  free(redirect);
  return NULL;
}

// notify::uri follows the main frame only: the URI about to load (and each
// redirect) is checked against the allowlist here.
static void on_uri(WebKitWebView *view, GParamSpec *p, gpointer data) {
  const char *uri = webkit_web_view_get_uri(view);
  char *redirect = NULL;
  if (goMainFrame((char *)(uri ? uri : ""), &redirect) != 0) {
    webkit_web_view_stop_loading(view);
    if (redirect != NULL) {
      load_later(view, redirect);
    }
  }
  free(redirect);
}

// load-changed records the committed page and its end (the page bindings
// are judged by, the welcome screen's readiness): no navigation is decided
// here (decide-policy and on_uri do that).
static void on_load_changed(WebKitWebView *view, WebKitLoadEvent ev, gpointer data) {
  const char *uri = webkit_web_view_get_uri(view);
  if (ev == WEBKIT_LOAD_COMMITTED) {
    goLoadEvent(KIOSK_LOAD_COMMITTED, (char *)(uri ? uri : ""));
  } else if (ev == WEBKIT_LOAD_FINISHED) {
    goLoadEvent(KIOSK_LOAD_FINISHED, (char *)(uri ? uri : ""));
  }
}

static gboolean on_load_failed(WebKitWebView *view, WebKitLoadEvent ev, gchar *uri, GError *err,
                               gpointer data) {
  return goLoadFailed(uri, (char *)g_quark_to_string(err->domain), err->code, err->message);
}

static void on_web_process_terminated(WebKitWebView *view, WebKitWebProcessTerminationReason reason,
                                      gpointer data) {
  goWebProcessTerminated((int)reason);
}

static gboolean on_permission_request(WebKitWebView *view, WebKitPermissionRequest *req, gpointer data) {
  webkit_permission_request_deny(req);
  return TRUE;
}

// The CUPS queue that prints without a dialog; NULL refuses every print.
static char *kiosk_printer = NULL;

void kiosk_set_printer(const char *name) {
  g_free(kiosk_printer);
  kiosk_printer = (name != NULL && *name != '\0') ? g_strdup(name) : NULL;
}

static void on_print_failed(WebKitPrintOperation *op, GError *err, gpointer data) {
  g_object_set_data(G_OBJECT(op), "kiosk-failed", GINT_TO_POINTER(1));
  goPrintFailed((char *)(err ? err->message : "print failed"));
}

// "finished" comes last, after "failed" too: the operation is released here.
static void on_print_finished(WebKitPrintOperation *op, gpointer data) {
  goPrintFinished(g_object_get_data(G_OBJECT(op), "kiosk-failed") != NULL);
  g_object_unref(op);
}

// start_print sends op (a reference the caller gives away) to the kiosk's
// printer on A4 paper, with no dialog.
static void start_print(WebKitPrintOperation *op) {
  GtkPrintSettings *s = gtk_print_settings_new();
  gtk_print_settings_set_printer(s, kiosk_printer);
  webkit_print_operation_set_print_settings(op, s);
  g_object_unref(s);
  GtkPageSetup *setup = gtk_page_setup_new();
  GtkPaperSize *a4 = gtk_paper_size_new(GTK_PAPER_NAME_A4);
  gtk_page_setup_set_paper_size_and_default_margins(setup, a4);
  gtk_paper_size_free(a4);
  webkit_print_operation_set_page_setup(op, setup);
  g_object_unref(setup);
  g_signal_connect(op, "failed", G_CALLBACK(on_print_failed), NULL);
  g_signal_connect(op, "finished", G_CALLBACK(on_print_finished), NULL);
  webkit_print_operation_print(op);
}

static void on_main_data(GObject *obj, GAsyncResult *res, gpointer data) {
  gsize len = 0;
  GError *err = NULL;
  guchar *bytes = webkit_web_resource_get_data_finish(WEBKIT_WEB_RESOURCE(obj), res, &len, &err);
  goPrintPDF(bytes, len, err ? err->message : NULL);
  g_free(bytes);
  g_clear_error(&err);
}

// print_pdf prints the PDF shown (the viewer's document) as it is: Go
// sends its bytes to the queue, not a picture of the viewer.
static void print_pdf(WebKitWebView *view) {
  WebKitWebResource *r = webkit_web_view_get_main_resource(view);
  if (r == NULL) {
    goPrintPDF(NULL, 0, "no document");
    return;
  }
  webkit_web_resource_get_data(r, NULL, on_main_data, NULL);
}

// main_is_pdf reports whether the page shown is a PDF document.
static int main_is_pdf(WebKitWebView *view) {
  WebKitWebResource *r = webkit_web_view_get_main_resource(view);
  WebKitURIResponse *resp = r ? webkit_web_resource_get_response(r) : NULL;
  const char *mime = resp ? webkit_uri_response_get_mime_type(resp) : NULL;
  return mime != NULL && strcmp(mime, "application/pdf") == 0;
}

// print (window.print, the PDF viewer's button): never WebKit's dialog.
// Go decides (printer set, the resident's own touch, the session's limit).
static gboolean on_print(WebKitWebView *view, WebKitPrintOperation *op, gpointer data) {
  if (goPrint() && kiosk_printer != NULL) {
    if (main_is_pdf(view)) {
      print_pdf(view);
    } else {
      start_print(g_object_ref(op));
    }
  }
  return TRUE;
}

// kiosk_print prints the page shown, as the toolbar's "Imprimer" asks.
void kiosk_print(WebKitWebView *view) {
  if (kiosk_printer == NULL) {
    return;
  }
  if (main_is_pdf(view)) {
    print_pdf(view);
  } else {
    start_print(webkit_print_operation_new(view));
  }
}

// The page's pending file chooser (<input type=file>), answered by
// kiosk_chooser_answer; NULL when none.
static WebKitFileChooserRequest *kiosk_chooser = NULL;

// run-file-chooser: never GTK's dialog, which would show the file system.
// Go offers the resident's scanned documents instead.
static gboolean on_file_chooser(WebKitWebView *view, WebKitFileChooserRequest *req, gpointer data) {
  if (kiosk_chooser != NULL) {
    webkit_file_chooser_request_cancel(kiosk_chooser);
    g_object_unref(kiosk_chooser);
  }
  kiosk_chooser = g_object_ref(req);
  const gchar *const *mimes = webkit_file_chooser_request_get_mime_types(req);
  char *accept = mimes ? g_strjoinv(",", (gchar **)mimes) : g_strdup("");
  goFileChooser(accept);
  g_free(accept);
  return TRUE;
}

// kiosk_chooser_answer gives path to the pending file chooser, or cancels
// it when path is NULL. It returns 0 when no chooser is pending.
int kiosk_chooser_answer(const char *path) {
  if (kiosk_chooser == NULL) {
    return 0;
  }
  if (path != NULL) {
    const gchar *files[] = {path, NULL};
    webkit_file_chooser_request_select_files(kiosk_chooser, files);
  } else {
    webkit_file_chooser_request_cancel(kiosk_chooser);
  }
  g_object_unref(kiosk_chooser);
  kiosk_chooser = NULL;
  return 1;
}

static gboolean on_input(GtkWidget *w, GdkEvent *ev, gpointer data) {
  goInput();
  return FALSE;
}

// Downloads that start without a response decision (<a download>, blob:)
// are cancelled before they choose a file.
static gboolean on_decide_destination(WebKitDownload *dl, gchar *name, gpointer data) {
  webkit_download_cancel(dl);
  return TRUE;
}

static void on_download_started(WebKitWebContext *ctx, WebKitDownload *dl, gpointer data) {
  WebKitURIRequest *req = webkit_download_get_request(dl);
  goDownloadRefused((char *)webkit_uri_request_get_uri(req), "");
  g_signal_connect(dl, "decide-destination", G_CALLBACK(on_decide_destination), NULL);
  webkit_download_cancel(dl);
}

// fill_monitor covers the whole monitor, with or without a window manager.
static void fill_monitor(GtkWidget *window) {
  GdkDisplay *disp = gdk_display_get_default();
  GdkMonitor *mon = gdk_display_get_primary_monitor(disp);
  if (mon == NULL) {
    mon = gdk_display_get_monitor(disp, 0);
  }
  gtk_window_set_decorated(GTK_WINDOW(window), FALSE);
  if (mon != NULL) {
    GdkRectangle g;
    gdk_monitor_get_geometry(mon, &g);
    gtk_window_move(GTK_WINDOW(window), g.x, g.y);
    gtk_window_resize(GTK_WINDOW(window), g.width, g.height);
    gtk_widget_set_size_request(window, g.width, g.height);
  }
  gtk_window_fullscreen(GTK_WINDOW(window));
  gtk_window_set_keep_above(GTK_WINDOW(window), TRUE);
}

// kiosk_sandbox runs the web processes under bubblewrap. It must come
// before the first view exists: once WebKit has spawned a process, changing
// it aborts ("Sandboxing cannot be changed after subprocesses were spawned").
void kiosk_sandbox(void) {
  webkit_web_context_set_sandbox_enabled(webkit_web_context_get_default(), TRUE);
}

WebKitWebView *kiosk_setup(GtkWidget *window, const char *proxy, int windowed) {
  WebKitWebView *view = WEBKIT_WEB_VIEW(gtk_bin_get_child(GTK_BIN(window)));

  // Every request of this view goes to the filtering proxy, loopback
  // included (no ignore-hosts): nothing loads directly.
  WebKitNetworkProxySettings *ps = webkit_network_proxy_settings_new(proxy, NULL);
  webkit_website_data_manager_set_network_proxy_settings(
      webkit_web_view_get_website_data_manager(view), WEBKIT_NETWORK_PROXY_MODE_CUSTOM, ps);
  webkit_network_proxy_settings_free(ps);

  WebKitSettings *s = webkit_web_view_get_settings(view);
  webkit_settings_set_enable_developer_extras(s, FALSE);
  webkit_settings_set_javascript_can_access_clipboard(s, FALSE);
  webkit_settings_set_enable_write_console_messages_to_stdout(s, FALSE);
  // window.open is allowed: decide-policy loads it in the same view.
  webkit_settings_set_javascript_can_open_windows_automatically(s, TRUE);
  webkit_settings_set_enable_back_forward_navigation_gestures(s, FALSE);
  // WebRTC would open UDP flows that no HTTP proxy sees; no camera or
  // microphone either.
  webkit_settings_set_enable_webrtc(s, FALSE);
  webkit_settings_set_enable_media_stream(s, FALSE);
  webkit_settings_set_enable_mock_capture_devices(s, FALSE);
  webkit_settings_set_enable_encrypted_media(s, FALSE);

  g_signal_connect(view, "context-menu", G_CALLBACK(refuse), NULL);
  g_signal_connect(view, "decide-policy", G_CALLBACK(on_decide_policy), NULL);
  g_signal_connect(view, "create", G_CALLBACK(on_create), NULL);
  g_signal_connect(view, "load-changed", G_CALLBACK(on_load_changed), NULL);
  g_signal_connect(view, "notify::uri", G_CALLBACK(on_uri), NULL);
  g_signal_connect(view, "load-failed", G_CALLBACK(on_load_failed), NULL);
  g_signal_connect(view, "web-process-terminated", G_CALLBACK(on_web_process_terminated), NULL);
  g_signal_connect(view, "permission-request", G_CALLBACK(on_permission_request), NULL);
  g_signal_connect(view, "run-file-chooser", G_CALLBACK(on_file_chooser), NULL);
  g_signal_connect(view, "print", G_CALLBACK(on_print), NULL);
  g_signal_connect(view, "show-notification", G_CALLBACK(refuse), NULL);
  // Releases count too: a click acts on release, and a resident who holds
  // a button down for long must still be able to end the session.
  g_signal_connect(view, "button-press-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(view, "button-release-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(view, "key-press-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(view, "key-release-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(view, "touch-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(view, "scroll-event", G_CALLBACK(on_input), NULL);
  g_signal_connect(webkit_web_view_get_context(view), "download-started",
                   G_CALLBACK(on_download_started), NULL);

  gtk_window_set_title(GTK_WINDOW(window), "Kiosk");
  if (!windowed) {
    // The resident cannot close the window; the shell ends it with gtk_main_quit.
    g_signal_connect(window, "delete-event", G_CALLBACK(refuse), NULL);
    fill_monitor(window);
  } else {
    gtk_window_resize(GTK_WINDOW(window), 1280, 800);
  }
  gtk_widget_grab_focus(GTK_WIDGET(view));
  return view;
}

void kiosk_load(WebKitWebView *view, const char *uri) { webkit_web_view_load_uri(view, uri); }

// The toolbar's own script world: the page's scripts cannot reach its
// variables nor its message handler, only the DOM they share.
#define KIOSK_WORLD "kiosk-toolbar"

static void on_toolbar_message(WebKitUserContentManager *m, WebKitJavascriptResult *r, gpointer data) {
  JSCValue *v = webkit_javascript_result_get_js_value(r);
  char *s = jsc_value_is_string(v) ? jsc_value_to_string(v) : NULL;
  if (s != NULL) {
    goToolbarMessage(s);
    g_free(s);
  }
}

// kiosk_toolbar injects js (the toolbar) into the top frame of every page,
// in the kiosk's script world, where the handler "kiosk" takes its calls
// (window.webkit.messageHandlers.kiosk, which exists in that world only).
void kiosk_toolbar(WebKitWebView *view, const char *js) {
  WebKitUserContentManager *m = webkit_web_view_get_user_content_manager(view);
  g_signal_connect(m, "script-message-received::kiosk", G_CALLBACK(on_toolbar_message), NULL);
  webkit_user_content_manager_register_script_message_handler_in_world(m, "kiosk", KIOSK_WORLD);
  WebKitUserScript *s = webkit_user_script_new_for_world(
      js, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, KIOSK_WORLD, NULL, NULL);
  webkit_user_content_manager_add_script(m, s);
  webkit_user_script_unref(s);
}

// kiosk_page_eval runs js in the page's own world, without waiting for its
// value.
void kiosk_page_eval(WebKitWebView *view, const char *js) {
  webkit_web_view_evaluate_javascript(view, js, -1, NULL, NULL, NULL, NULL, NULL);
}

// kiosk_toolbar_eval runs js in the toolbar's world of the page shown.
void kiosk_toolbar_eval(WebKitWebView *view, const char *js) {
  webkit_web_view_evaluate_javascript(view, js, -1, KIOSK_WORLD, NULL, NULL, NULL, NULL);
}

// kiosk_go_back goes back to the nearest history entry that the allowlist
// still allows; it returns 0 when there is none.
int kiosk_go_back(WebKitWebView *view) {
  WebKitBackForwardList *bf = webkit_web_view_get_back_forward_list(view);
  GList *back = webkit_back_forward_list_get_back_list(bf); // nearest first
  int done = 0;
  for (GList *l = back; l != NULL && !done; l = l->next) {
    WebKitBackForwardListItem *item = l->data;
    if (goBackAllowed((char *)webkit_back_forward_list_item_get_uri(item))) {
      webkit_web_view_go_to_back_forward_list_item(view, item);
      done = 1;
    }
  }
  g_list_free(back);
  return done;
}

const char *kiosk_uri(WebKitWebView *view) { return webkit_web_view_get_uri(view); }

// kiosk_main_status returns the HTTP status of the main frame's main
// resource (its committed document), 0 when there is none.
int kiosk_main_status(WebKitWebView *view) {
  WebKitWebResource *r = webkit_web_view_get_main_resource(view);
  WebKitURIResponse *resp = r ? webkit_web_resource_get_response(r) : NULL;
  return resp ? (int)webkit_uri_response_get_status_code(resp) : 0;
}

void kiosk_terminate_web_process(WebKitWebView *view) { webkit_web_view_terminate_web_process(view); }

static void on_probe_done(GObject *obj, GAsyncResult *res, gpointer data) {
  GError *err = NULL;
  JSCValue *v = webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(obj), res, &err);
  g_clear_error(&err);
  if (v != NULL) {
    g_object_unref(v);
  }
  goProbeDone();
}

// kiosk_probe runs a trivial script in the page; goProbeDone is called when
// the web process answers (or the evaluation fails).
void kiosk_probe(WebKitWebView *view) {
  webkit_web_view_evaluate_javascript(view, "0", -1, NULL, NULL, NULL, on_probe_done, NULL);
}

// kiosk_clear_clipboard empties CLIPBOARD and PRIMARY, and takes them from
// the page so that nothing is left for a clipboard manager to keep.
void kiosk_clear_clipboard(void) {
  GdkAtom sel[] = {GDK_SELECTION_CLIPBOARD, GDK_SELECTION_PRIMARY};
  for (int i = 0; i < 2; i++) {
    GtkClipboard *cb = gtk_clipboard_get(sel[i]);
    gtk_clipboard_set_text(cb, "", 0);
    gtk_clipboard_clear(cb);
  }
  gdk_display_flush(gdk_display_get_default());
}

static void on_eval_done(GObject *obj, GAsyncResult *res, gpointer data) {
  long id = (long)(intptr_t)data;
  GError *err = NULL;
  JSCValue *v = webkit_web_view_evaluate_javascript_finish(WEBKIT_WEB_VIEW(obj), res, &err);
  if (v == NULL) {
    goEvalDone(id, NULL, err ? err->message : "evaluation failed");
    g_clear_error(&err);
    return;
  }
  char *json = jsc_value_is_undefined(v) ? NULL : jsc_value_to_json(v, 0);
  goEvalDone(id, json ? json : "null", NULL);
  g_free(json);
  g_object_unref(v);
}

// kiosk_eval evaluates js in the page and reports its JSON value to
// goEvalDone (used by the test control socket).
void kiosk_eval(WebKitWebView *view, const char *js, long id) {
  webkit_web_view_evaluate_javascript(view, js, -1, NULL, NULL, NULL, on_eval_done,
                                      (gpointer)(intptr_t)id);
}

void webview_bind(webview_t w, const char *name, void (*fn)(const char *seq, const char *req, void *arg),
                  void *arg);

static void on_binding(const char *seq, const char *req, void *arg) {
  goBinding((char *)seq, (char *)req, (long)(intptr_t)arg);
}

// kiosk_bind binds the JS function name to goBinding with index.
void kiosk_bind(webview_t w, const char *name, long index) {
  webview_bind(w, name, on_binding, (void *)(intptr_t)index);
}

static gboolean on_idle(gpointer data) {
  goDispatch((long)(intptr_t)data);
  return G_SOURCE_REMOVE;
}

// kiosk_dispatch runs goDispatch(id) on the GTK main loop (thread-safe).
void kiosk_dispatch(long id) {
  g_idle_add_full(G_PRIORITY_HIGH_IDLE, on_idle, (gpointer)(intptr_t)id, NULL);
}
