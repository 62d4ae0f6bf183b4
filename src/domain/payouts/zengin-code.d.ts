// Types for the untyped `zengin-code` package (CommonJS; module.exports is the whole data set).
declare module 'zengin-code' {
  interface ZenginCodeBranch {
    code: string;
    name: string;
    kana: string;
    hira: string;
    roma: string;
  }
  interface ZenginCodeBank {
    code: string;
    name: string;
    kana: string;
    hira: string;
    roma: string;
    branches: Record<string, ZenginCodeBranch>;
  }
  const data: Record<string, ZenginCodeBank>;
  export default data;
}
