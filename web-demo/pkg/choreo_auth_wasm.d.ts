/* tslint:disable */
/* eslint-disable */

/** What `inspectToken` returns: core's report. */
export type TokenReport = Report;

/** Where a client keeps its credential: VS Code's `context.secrets` fits as is. */
export interface SecretStore {
    get(key: string): Promise<string | undefined | null> | string | undefined | null;
    set(key: string, value: string): Promise<void> | void;
    delete(key: string): Promise<void> | void;
}

export interface ChoreoAuthOptions {
    /** Default `https://apis.choreo.dev`; `http://` only on loopback. */
    apiBase?: string;
    /** Default: memory, gone with the page or process. */
    storage?: SecretStore;
    /** Scopes the token must carry. */
    requiredScopes?: string[];
}

export interface StatusOptions {
    /** Check the token against the API again (default false: the stored session only). */
    online?: boolean;
}

/** Every rejected promise and thrown error of this package. */
export interface ChoreoAuthError extends Error {
    /** Core's stable kebab-case code, e.g. `missing-scopes`, `unauthorized`, `not-logged-in`. */
    code: string;
    /** Every problem found offline, when the token was refused before any request. */
    problems?: Problem[];
    /** The stored session, when `status` found it no longer valid. */
    session?: Session;
}


/**
 * An organization as `GET /orgs` lists it.
 */
export interface Organization {
    id?: string;
    uuid: string;
    handle: string;
    name?: string;
}

/**
 * Every stable code the token rules can report. The kebab-case string is the contract.
 */
export type Code = "stripped-bom" | "utf16-encoding" | "empty" | "multiple-lines" | "inner-whitespace" | "control-character" | "invalid-utf8" | "too-long" | "stripped-bearer" | "stripped-quotes" | "stripped-assignment" | "invalid-character" | "too-short" | "checksum-mismatch" | "foreign-token" | "jwt-alg-none" | "jwt-malformed" | "jwt-expired" | "jwt-not-yet-valid" | "jwt-not-pat" | "pat-inactive" | "pat-expired" | "pat-expiring-soon" | "missing-scopes" | "org-not-found" | "unauthorized" | "server-error" | "bad-response";

/**
 * Everything about a login except the token: safe to print, log and serialise.
 */
export interface Session {
    /**
     * Random id of this login, for hosts that need one (VS Code sessions).
     */
    id: string;
    apiBase: string;
    /**
     * The token's kind as recognised at login (`choreo-pat`, `opaque`, ...).
     */
    kind: string;
    masked: string;
    userId: string;
    patId: string;
    organization: Organization;
    scopes: string[];
    /**
     * RFC 3339, as the API gave it.
     */
    validUntil: string | null;
    /**
     * RFC 3339 UTC.
     */
    createdAt: string;
}

/**
 * How bad a problem is. Only `Error` makes a report not `ok`.
 */
export type Severity = "error" | "warning" | "notice";

/**
 * One finding: a stable code, its severity and a lowercase message without token material.
 */
export interface Problem {
    code: Code;
    severity: Severity;
    message: string;
}

/**
 * The claims a user needs to recognise a JWT, as reported.
 */
export interface JwtClaims {
    alg: string;
    typ: string | null;
    iss: string | null;
    sub: string | null;
    aud: string[];
    exp: number | null;
    nbf: number | null;
    iat: number | null;
    scopes: string[];
}

/**
 * What `status` found.
 */
export interface StatusResult {
    session: Session;
    checkedOnline: boolean;
    warnings: Problem[];
}

/**
 * What a login produced.
 */
export interface LoginResult {
    session: Session;
    /**
     * Intake notices, `jwt-not-pat`, `pat-expiring-soon`.
     */
    warnings: Problem[];
}

/**
 * What a token is and what is wrong with it. Holds no token material beyond the mask.
 */
export interface Report {
    /**
     * No problem of severity `error`.
     */
    ok: boolean;
    /**
     * `null` when intake found no token to recognise.
     */
    kind: string | null;
    label: string | null;
    masked: string | null;
    /**
     * Characters in the token after intake.
     */
    length: number | null;
    checksum: ChecksumState;
    jwt: JwtClaims | null;
    problems: Problem[];
}

export type ChecksumState = "valid" | "invalid" | "none";


/**
 * A Choreo login for one API base: `loginWithToken`, `status`, `logout`.
 */
export class ChoreoAuth {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Checks the token offline, then with the API, then stores it. Storage is untouched on
     * any failure.
     */
    loginWithToken(token: string | Uint8Array): Promise<LoginResult>;
    /**
     * Removes the stored credential and resolves to the session it held.
     */
    logout(): Promise<Session>;
    constructor(options: ChoreoAuthOptions);
    /**
     * The stored session; with `{ online: true }` the token is checked with the API again.
     */
    status(options: StatusOptions): Promise<StatusResult>;
    /**
     * The checked API base this client talks to.
     */
    readonly apiBase: string;
}

/**
 * Recognises a token and lists its problems, offline, at the current time.
 */
export function inspectToken(input: string | Uint8Array): TokenReport;

/**
 * `inspectToken` at a given time (Unix seconds), for tests and reproducible output.
 */
export function inspectTokenAt(input: string | Uint8Array, now_unix_seconds: number): TokenReport;

/**
 * The report as core's canonical JSON text, byte for byte what every host prints.
 */
export function inspectTokenJson(input: string | Uint8Array): string;

/**
 * `inspectTokenJson` at a given time (Unix seconds).
 */
export function inspectTokenJsonAt(input: string | Uint8Array, now_unix_seconds: number): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_choreoauth_free: (a: number, b: number) => void;
    readonly choreoauth_apiBase: (a: number) => [number, number];
    readonly choreoauth_loginWithToken: (a: number, b: any) => any;
    readonly choreoauth_logout: (a: number) => any;
    readonly choreoauth_new: (a: number) => [number, number, number];
    readonly choreoauth_status: (a: number, b: number) => any;
    readonly inspectToken: (a: any) => [number, number, number];
    readonly inspectTokenAt: (a: any, b: number) => [number, number, number];
    readonly inspectTokenJson: (a: any) => [number, number, number, number];
    readonly inspectTokenJsonAt: (a: any, b: number) => [number, number, number, number];
    readonly wasm_bindgen__convert__closures_____invoke__h05f7dd54200dc5ea: (a: number, b: number, c: any, d: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__hb3f31ab01ffab20f: (a: number, b: number, c: any) => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
