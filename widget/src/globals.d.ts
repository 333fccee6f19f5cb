// Set by the build (scripts/build-js.mjs): a token the server replaces with widget.css.
declare const __PARLEY_CSS__: string;
