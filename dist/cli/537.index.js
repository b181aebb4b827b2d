const m=537,g=[537],h={7537:((d,i,o)=>{o.r(i),o.d(i,{runEmulatorCli:()=>f});var c=o(9017);const l=`Usage: kfp-gitops kfp-emulator [--port N] [--state-file FILE] [--latency-ms N] [--prefix /pipeline] [--single-user]

Serve an emulator of the Kubeflow Pipelines REST API (v1beta1 and v2beta1, as KFP 2.17) on
127.0.0.1 until interrupted. Give the printed URL to actions as kfp-host.

  --port N            port to listen on (0 = any free port; default 8888)
  --state-file FILE   load state from FILE if it exists and save it after every change
  --latency-ms N      delay every API answer by N ms
  --prefix PATH       path the API is served under (default /pipeline, as behind the Kubeflow gateway)
  --single-user       single-user KFP (no namespaces)`;async function f(a){const r=new Map;for(let e=0;e<a.length;e++){const t=a[e];if(t==="--help"||t==="-h")return process.stdout.write(l+`
`),0;if(t==="--single-user"){r.set("single-user","true");continue}const s=/^--(port|state-file|latency-ms|prefix)(?:=(.*))?$/.exec(t),p=s?.[2]??a[e+1];if(!s||p===void 0)return process.stderr.write(`error: ${s?`flag '${t}' needs a value`:`unknown argument '${t}'`}

${l}
`),2;s[2]===void 0&&e++,r.set(s[1],p)}const u=(e,t)=>{const s=r.get(e);if(s===void 0)return t;if(!/^\d+$/.test(s))throw new Error(`--${e} must be a whole number (got "${s}")`);return Number(s)};let n;try{n=await(0,c.p)({port:u("port",8888),latencyMs:u("latency-ms",0),stateFile:r.get("state-file"),prefix:r.get("prefix"),multiUser:!r.has("single-user"),logBodies:!1})}catch(e){return process.stderr.write(`error: cannot start the KFP emulator: ${e.message}
`),1}return process.stdout.write(`KFP API emulator (v1beta1 + v2beta1) listening at ${n.url}
`),await new Promise(e=>{const t=()=>e();process.once("SIGINT",t),process.once("SIGTERM",t)}),await n.close(),process.stdout.write(`KFP API emulator stopped after ${n.log.calls} API calls.
`),0}})};export{m as id,g as ids,h as modules};
