/** The re-authentication refusal, shared by the server and the page that answers it with a prompt. */
export const REAUTH_MSG = "confirm it's you: re-authenticate to do this";
export const REAUTH_HEADER = "X-Reauth-Required";
