// The Node build's entry for require(): boundary.js, compiled to CommonJS by wasm/build.sh.
"use strict";
module.exports = require("./boundary.js");
