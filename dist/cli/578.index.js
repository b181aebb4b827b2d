const i=578,d=[578],p={2578:((c,t,s)=>{s.r(t),s.d(t,{printSpecs:()=>o});var n=s(6919);async function o(){return process.stdout.write(JSON.stringify(n.o.map(r=>r.spec),null,2)+`
`),0}})};export{i as id,d as ids,p as modules};
