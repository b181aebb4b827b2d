const m=578,u=[578],E={2578:((e,s,t)=>{t.r(s),t.d(s,{printSpecs:()=>c});var r=t(6919),i=t(8164);async function c(){const p=r.o.map(({spec:n})=>({...n,inputs:Object.fromEntries(Object.entries(n.inputs).map(([d,o])=>[d,{...o,form:(0,i.$)(o)}]))}));return process.stdout.write(JSON.stringify(p,null,2)+`
`),0}})};export{m as id,u as ids,E as modules};
