/**
 * Routing of the JSON-2 API: `POST /json/2/<model>/<method>` (`addons/rpc/controllers/json2.py`), and the catch-all
 * that answers 404 for anything else under `/json/2`.
 *
 * @packageDocumentation
 */

/** Where a request path lands in the JSON-2 API. */
export type Json2Route =
  /** `POST /json/2/<model>/<method>`. */
  | { readonly kind: 'call'; readonly model: string; readonly method: string }
  /** Anything else under `/json/2` (another verb, a path of another shape): the 404 "Did you mean" answer. */
  | { readonly kind: 'catch-all' };

/** The JSON-2 route of `pathname` requested with `method`, or `undefined` when the path is not under `/json/2`. */
export function matchJson2Route(httpMethod: string | undefined, pathname: string): Json2Route | undefined {
  if (pathname !== '/json/2' && !pathname.startsWith('/json/2/')) return undefined;
  const segments = pathname.slice('/json/2/'.length).split('/');
  // werkzeug's default converter: one non-empty segment each; the path is matched undecoded only for "/".
  if (httpMethod === 'POST' && segments.length === 2 && segments.every((segment) => segment !== '')) {
    const [model, method] = segments.map((segment) => decodeURIComponent(segment)) as [string, string];
    return { kind: 'call', model, method };
  }
  return { kind: 'catch-all' };
}
