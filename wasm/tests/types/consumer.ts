// Compiled with `tsc --noEmit` by package.test.mjs: the generated .d.ts must type real use.
import { ChoreoAuth, inspectToken, type ChoreoAuthError, type Code, type LoginResult, type TokenReport } from "@choreo/auth";

// VS Code's SecretStorage, as vscode.d.ts declares it: Thenables and a `store` setter.
interface Thenable<T> extends PromiseLike<T> {}
declare const secrets: {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
};

const report: TokenReport = inspectToken("chp_...");
const codes: Code[] = report.problems.map((p) => p.code);
const masked: string | null = report.masked;
const exp: number | null | undefined = report.jwt?.exp;

async function run(): Promise<string> {
  const auth = new ChoreoAuth({ apiBase: "https://apis.choreo.dev", storage: secrets, requiredScopes: ["a"] });
  new ChoreoAuth();
  try {
    const result: LoginResult = await auth.loginWithToken(new Uint8Array([1]));
    const online = await auth.status({ online: true });
    await auth.status();
    const token: string = await auth.accessToken();
    return result.session.organization.handle + online.checkedOnline + token.length + (await auth.logout()).id;
  } catch (e) {
    const err = e as ChoreoAuthError;
    return err.code + (err.problems?.[0]?.severity ?? "") + (err.session?.userId ?? "");
  }
}

// @ts-expect-error: codes are a closed union generated from core's Code enum
const bad: Code = "not-a-code";
// @ts-expect-error: an error's code is core's Code, as its Failure type says
const wrong: ChoreoAuthError["code"] = "not-a-code";
// @ts-expect-error: a storage object needs a setter
new ChoreoAuth({ storage: { get: () => undefined, delete: () => undefined } });

export { codes, masked, exp, run, bad, wrong };
