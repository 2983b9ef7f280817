/**
 * Authentication refused: the words a client prints when the server it calls does not accept the credential it
 * presents, and a server prints when it refuses one — `401`/`403` from an upstream API, `password authentication
 * failed`, `Access denied for user`, an invalid or expired key or token, a signature that does not verify, a SASL or
 * AMQP login refused. Either side's words say the same thing: the credential presented is out of step with what the
 * server expects. A wrong host, a timeout or a slow answer says nothing of the kind.
 */
export const AUTH_FAILURE =
  /auth(entication|orization)?[ _]?(failed|failure|error|exception)|authentication (?:\w+ )?failed|invalid[ _](password|credentials|api[ _-]?key|token|signature)|wrong ?pass|noauth|unauthori[sz]ed|access denied|permission denied for|password authentication failed|\b401\b|\b403\b|forbidden|invalid signature|signature verification failed|bad credentials|login failed|signature ?does ?not ?match|invalid ?access ?key ?id|expired ?token|invalid_grant|invalid_client|accessdenied|sasl authentication failed|log ?[io]n (rejected|refused|denied|failed)|(credentials?|password) (rejected|refused)|not authori[sz]ed|bad user ?name or password|access_refused|login was (refused|rejected|denied)/i;
