// The Node build's entry for require(): boundary.js, compiled to CommonJS by wasm/build.sh.
"use strict";
const boundary = require("./boundary.js");
require("./choreo_auth_wasm.js").__errors(boundary.ChoreoAuthError);
module.exports = boundary;
