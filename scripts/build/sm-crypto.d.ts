/**
 * The few calls the tests and the SM2 bench make of sm-crypto 0.5.8 (a devDependency with no types of its own): the
 * independent SM2 implementation the product never uses, held against ours in both directions.
 */
declare module 'sm-crypto' {
  export const sm2: {
    doSignature(msg: string | number[], privateKey: string, opts?: { hash?: boolean; der?: boolean; publicKey?: string; userId?: string }): string;
    doVerifySignature(msg: string | number[], signHex: string, publicKey: string, opts?: { hash?: boolean; der?: boolean; userId?: string }): boolean;
    getPublicKeyFromPrivateKey(privateKey: string): string;
  };
  const smCrypto: { sm2: typeof sm2 };
  export default smCrypto;
}
