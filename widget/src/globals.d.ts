// Set by the build (scripts/build-js.mjs): a token the server replaces with widget.css.
declare const __PARLEY_CSS__: string;
// Set by the build: a token the server replaces with the panel bundle's version (its URL's ?v=).
declare const __PARLEY_PANEL_VERSION__: string;
