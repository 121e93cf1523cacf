package webview2

// The part of WebView2's COM ABI the Windows browser process calls
// (native_windows.go): vtable indices and interface IDs of the WebView2
// SDK that webview_go vendors (libs/mswebview2/include/WebView2.h, the
// C-style *Vtbl structs). They are plain numbers here so that
// TestWebView2ABI_MatchesHeader checks them against that header on any OS.
const (
	vtQueryInterface = 0
	vtRelease        = 2

	vtControllerGetCoreWebView2 = 25 // ICoreWebView2Controller

	vtWebViewGetSettings                = 3  // ICoreWebView2
	vtWebViewGetSource                  = 4  // ICoreWebView2
	vtWebViewAddNavigationStarting      = 7  // ICoreWebView2
	vtWebViewAddFrameNavigationStarting = 17 // ICoreWebView2
	vtWebViewAddNewWindowRequested      = 44 // ICoreWebView2
	vtWebView4AddDownloadStarting       = 75 // ICoreWebView2_4

	vtSettingsPutDefaultContextMenus = 14 // ICoreWebView2Settings
	vtSettings3PutAcceleratorKeys    = 24 // ICoreWebView2Settings3
	vtSettings4PutPasswordAutosave   = 26 // ICoreWebView2Settings4
	vtSettings4PutGeneralAutofill    = 28 // ICoreWebView2Settings4

	vtNavArgsGetURI    = 3 // ICoreWebView2NavigationStartingEventArgs
	vtNavArgsPutCancel = 8 // ICoreWebView2NavigationStartingEventArgs

	vtNewWindowArgsGetURI     = 3 // ICoreWebView2NewWindowRequestedEventArgs
	vtNewWindowArgsPutHandled = 6 // ICoreWebView2NewWindowRequestedEventArgs

	vtDownloadArgsPutCancel  = 5 // ICoreWebView2DownloadStartingEventArgs
	vtDownloadArgsPutHandled = 9 // ICoreWebView2DownloadStartingEventArgs
)

// Interface IDs.
const (
	iidStrUnknown                   = "{00000000-0000-0000-C000-000000000046}"
	iidStrWebView4                  = "{20D02D59-6DF2-42DC-BD06-F98A694B1302}"
	iidStrSettings3                 = "{FDB5AB74-AF33-4854-84F0-0A631DEB5EBA}"
	iidStrSettings4                 = "{CB56846C-4168-4D53-B04F-03B6D6796FF2}"
	iidStrNavigationStartingHandler = "{9ADBE429-F36D-432B-9DDC-F8881FBD76E3}"
	iidStrNewWindowRequestedHandler = "{D4C185FE-C81C-4989-97AF-2D3FA7AB5651}"
	iidStrDownloadStartingHandler   = "{EFEDC989-C396-41CA-83F7-07F845A55724}"
)
