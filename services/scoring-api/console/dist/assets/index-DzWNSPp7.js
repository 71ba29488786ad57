var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),N(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,F(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=D(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=N(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&I(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=O(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function D(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=k(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),re(s,s));return r}function O(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=O(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function k(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function A(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function j(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||A(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||A(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=M(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function M(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function N(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,D,O,k,A,j,M,N,F,I,L,R=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=P(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);n:if(typeof R==`function`){v=s.length;try{if(E=n.props,D=(p=R.prototype)&&p.render,O=(p=R.contextType)&&i[p.__c],k=p?O?O.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(D?n.__c=y=new R(E,k):(n.__c=y=new x(E,k),y.constructor=R,y.render=ie),O&&O.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),D&&(y.__s||(y.__s=y.state),R.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,R.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&D&&!R.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,k),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,k)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break n}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,k),D&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else D&&!R.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),D&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=k,y.props=E,y.__P=t,y.__g&=-5,A=e.__r,j=D?25:0;do y.__g&=-9,A&&A(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++j<25);D&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),D&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),M=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&re(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=ee(t,m(M)?M:[M],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(I=o.indexOf(c||void 0))||(I=o.length);(L=o[I-1])&&L.nodeType==8;)I--;for(;I<o.length;I++)if(L=o[I]){if(o[I]=null,N){if(L==F)break}else{if(L.nodeType!=8)break;L.data.startsWith(`$s`)&&(F=P(N=L))}}}if(!N){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;N=c}(p=P(N=n.__c.__z||(n.__c.__z=N)))?(n.__e=N,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||te(n),e.__e(t,n,r)}}else c=n.__e=ne(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function P(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function te(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(te))}function F(t,n,r){for(var i=0;i<r.length;)I(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function ne(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,D=n.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(D?b.localName==D:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!D)return w.createTextNode(E);t=w.createElementNS(a,D,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(D){if(u=D==`template`&&t.content||t,o=D==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||j(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||j(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&D!=`textarea`||(f=`value`,D==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(D!=`progress`||x)||j(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&j(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function I(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function re(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||I(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&re(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=P(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function ie(e,t,n){return this.constructor(e,n)}function L(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],N(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),F(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var R,z,B,ae,V=Object.is,H=0,oe=[],U=[],W=e,se=W.__b,ce=W.__r,le=W.diffed,ue=W.__c,de=W.unmount,fe=W.__;function pe(e,t){W.__h&&W.__h(z,e,H||t),H=0;var n=z.__H||(z.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function G(e){return H=1,me(Ce,e)}function me(e,t,n){var r=pe(R++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ce(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);V(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=z,!z.__f)){z.__f=!0;var i=z.shouldComponentUpdate;z.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,V(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function K(e,t){var n=pe(R++,3);!W.__s&&Se(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,z.__H.__h.push(n))}function he(e){return H=5,ge(function(){return{current:e}},[])}function ge(e,t){var n=pe(R++,7);return Se(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function _e(){var e;do{for(;e=U.shift();)try{q(e)}catch(t){W.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=oe.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(q),t.__h.some(xe),t.__h=[]}catch(n){t.__h=[],W.__e(n,e.__v)}}}while(U.length)}W.__b=function(e){z=null,se&&se(e)},W.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),fe&&fe(e,t)},W.__r=function(e){ce&&ce(e),R=0;var t=(z=e.__c).__H;t&&(B==z?z.__h=[]:(t.__h.some(q),t.__h.some(xe),R=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),B=z},W.diffed=function(e){le&&le(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&be(oe.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),B=z=null},W.__c=function(e,t){t.some(function(e){try{e.__h.some(q),e.__h=e.__h.filter(function(e){return!e.__||xe(e)})}catch(t){e.__h=[function(){throw t}]}}),ue&&ue(e,t)},W.unmount=function(e){de&&de(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,be(U.push(r))}else q(r)}catch(e){t=e}}),r.__H=void 0,t&&W.__e(t,r.__v))};var ve=typeof requestAnimationFrame==`function`;function ye(e){var t,n=function(){clearTimeout(r),ve&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);ve&&(t=requestAnimationFrame(n))}function be(e){e!=1&&ae==W.requestAnimationFrame||((ae=W.requestAnimationFrame)||ye)(_e)}function q(e){var t=z,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),z=t}function xe(e){var t=z;e.__c=e.__(),z=t}function Se(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!V(t,e[n])})}function Ce(e,t){return typeof t==`function`?t(e):t}var J=class extends Error{status;code;field;constructor(e,t,n,r){super(n),this.status=e,this.code=t,this.field=r}},we=`riskgate.console.apiKey`,Te=()=>sessionStorage.getItem(we),Ee=e=>sessionStorage.setItem(we,e),De=()=>sessionStorage.removeItem(we),Oe=class{key;constructor(e){this.key=e}async call(e,t,n){let r=await fetch(t,{method:e,headers:{authorization:`Bearer ${this.key}`,...n===void 0?{}:{"content-type":`application/json`}},...n===void 0?{}:{body:JSON.stringify(n)}}),i=await r.json().catch(()=>null);if(!r.ok){let e=i?.error??{};throw new J(r.status,e.code??`http_error`,e.message??`HTTP ${r.status}`,e.field)}return i}session=()=>this.call(`GET`,`/v1/console/session`);summary=()=>this.call(`GET`,`/v1/console/summary`);globalSwitch=()=>this.call(`GET`,`/v1/admin/kill-switch`);models=()=>this.call(`GET`,`/v1/admin/models`);audit=(e=50)=>this.call(`GET`,`/v1/admin/audit?limit=${e}`);setGlobal=(e,t)=>this.call(`PUT`,`/v1/admin/kill-switch`,{engaged:e,reason:t});setModel=(e,t,n)=>this.call(`PUT`,`/v1/admin/models/${encodeURIComponent(e)}/kill-switch`,{engaged:t,reason:n});cases=(e,t=50)=>this.call(`GET`,`/v1/review/cases?status=${encodeURIComponent(e)}&limit=${t}`);getCase=e=>this.call(`GET`,`/v1/review/cases/${encodeURIComponent(e)}`);claim=e=>this.call(`POST`,`/v1/review/cases/${encodeURIComponent(e)}/claim`);resolve=(e,t,n)=>this.call(`POST`,`/v1/review/cases/${encodeURIComponent(e)}/resolve`,{label:t,note:n})},ke=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,ke(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},Ae=new Map;function je(e){var t=Ae.get(this);return t||(t=new Map,Ae.set(this,t)),(t=ke(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var Y=je.bind(v),X=e=>String(e).padStart(2,`0`);function Z(e){if(!e)return`—`;let t=new Date(e);return`${t.getFullYear()}-${X(t.getMonth()+1)}-${X(t.getDate())} ${X(t.getHours())}:${X(t.getMinutes())}:${X(t.getSeconds())}`}function Me(e){if(e===null)return`—`;let t=e<0?`-`:``,n=Math.abs(Math.round(e));return n<60?`${t}${n}s`:n<3600?`${t}${Math.floor(n/60)}m ${X(n%60)}s`:`${t}${Math.floor(n/3600)}h ${X(Math.floor(n%3600/60))}m`}var Q=(e,t=1)=>e==null?`—`:e.toFixed(t),Ne=e=>e==null?`—`:`${(e*100).toFixed(1)} %`;function Pe(e){let t=performance.getEntriesByName(`nav:${e}`,`mark`).at(-1)?.startTime??0;performance.measure(`view:${e}`,{start:t,end:performance.now()})}function Fe(e,t,n,r){let[i,a]=G(null),[o,s]=G(null),c=he(!0),l=he(t);l.current=t;let u=async()=>{try{a(await l.current()),s(null)}catch(e){r(e),s(e instanceof J?`${e.message} (${e.code})`:String(e))}};return K(()=>{u();let e=setInterval(()=>void u(),n);return()=>clearInterval(e)},[n]),K(()=>{i!==null&&c.current&&(c.current=!1,requestAnimationFrame(()=>Pe(e)))},[i]),{data:i,error:o,reload:u}}var Ie=e=>e.target===`global`?e.engage?`Engage the global kill-switch: every model stops deciding on every replica (rules only) within a second.`:`Release the global kill-switch: the models decide again on every replica.`:e.engage?`Switch model ${e.target} off: its traffic falls back to the champion, or to rules if it is the champion.`:`Switch model ${e.target} back on.`;function Le(e){let t=he(null),[n,r]=G(``),[i,a]=G(null),[o,s]=G(!1);K(()=>{let n=t.current;n&&(e.pending&&!n.open?(r(``),a(null),n.showModal()):!e.pending&&n.open&&n.close())},[e.pending]);let c=e.pending;return Y`<dialog ref=${t} aria-labelledby="confirm-h" onCancel=${e.onCancel} onClose=${e.onCancel}>
    ${c&&Y`<form onSubmit=${async t=>{if(t.preventDefault(),n.trim()===``)a(`Say why: the reason is recorded in the audit trail.`);else{s(!0);try{await e.onConfirm(n.trim())}catch(e){a(e instanceof J?`${e.message} (${e.code})`:String(e))}finally{s(!1)}}}}>
        <h2 id="confirm-h">${c.engage?`Engage`:`Release`} ${c.target===`global`?`the global kill-switch`:`the switch of ${c.target}`}?</h2>
        <p>${Ie(c)}</p>
        <label for="reason">Reason (required, audited)</label>
        <textarea id="reason" required maxlength="500" rows="3" value=${n}
          onInput=${e=>r(e.target.value)}
          aria-invalid=${i?`true`:void 0}></textarea>
        ${i&&Y`<p role="alert" class="error">${i}</p>`}
        <div class="actions">
          <button type="button" class="secondary" onClick=${e.onCancel}>Cancel</button>
          <button type="submit" class=${c.engage?`danger`:``} disabled=${o}>
            ${c.engage?`Confirm: engage`:`Confirm: release`}
          </button>
        </div>
      </form>`}
  </dialog>`}function Re(e){let{api:t}=e,{data:n,error:r,reload:i}=Fe(`kill-switch`,async()=>{let[e,n,r]=await Promise.all([t.globalSwitch(),t.models(),t.audit(50)]);return{global:e,models:n.models,audit:r.entries}},5e3,e.onAuthError),[a,o]=G(null),[s,c]=G(null),l=async e=>{let n=a;n.target===`global`?await t.setGlobal(n.engage,e):await t.setModel(n.target,n.engage,e),o(null),c(`${n.target===`global`?`Global kill-switch`:`Model ${n.target}`} ${n.engage?`engaged`:`released`}.`),await i()},u=n?.global;return Y`
    <h2 class="view-title">Kill-switch</h2>
    ${r&&Y`<p role="alert" class="error">${r}</p>`}
    <p role="status" class="ok-msg">${s??``}</p>
    ${n&&u&&Y`<div class="grid">
        <section class="card" aria-labelledby="global-h">
          <h2 id="global-h">Global</h2>
          <p class="big" data-testid="global-state">
            <span class=${`badge ${u.engaged?`bad`:`ok`}`}>${u.engaged?`ENGAGED: rules only`:`released: models decide`}</span>
            ${u.stale?Y` <span class="badge warn">stale</span>`:null}
          </p>
          <dl class="kv">
            <dt>Last change</dt><dd>${Z(u.changed_at)}</dd>
            <dt>By</dt><dd>${u.actor??`—`}</dd>
            <dt>Reason</dt><dd>${u.reason??`—`}</dd>
          </dl>
          <button type="button" class=${u.engaged?``:`danger`} onClick=${()=>o({target:`global`,engage:!u.engaged})}>
            ${u.engaged?`Release global kill-switch…`:`Engage global kill-switch…`}
          </button>
        </section>
        <section class="card wide" aria-labelledby="models-ks-h">
          <h2 id="models-ks-h">Per model version</h2>
          <table>
            <thead><tr><th scope="col">Version</th><th scope="col">Role</th><th scope="col">Switch</th><th scope="col">Last change</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
            <tbody>
              ${n.models.map(e=>Y`<tr>
                  <th scope="row"><span class="mono">${e.version}</span></th>
                  <td>${e.role}${e.canary_percent===void 0?``:` (${e.canary_percent} %)`}</td>
                  <td><span class=${`badge ${e.kill_switch.engaged?`bad`:`ok`}`}>${e.kill_switch.engaged?`off`:`on`}</span></td>
                  <td>${e.kill_switch.actor?`${Z(e.kill_switch.changed_at)} by ${e.kill_switch.actor}`:`—`}</td>
                  <td><button type="button" class="small" onClick=${()=>o({target:e.version,engage:!e.kill_switch.engaged})}
                    aria-label=${`${e.kill_switch.engaged?`Switch on`:`Switch off`} ${e.version}`}>${e.kill_switch.engaged?`Switch on…`:`Switch off…`}</button></td>
                </tr>`)}
            </tbody>
          </table>
        </section>
        <section class="card wide" aria-labelledby="audit-h">
          <h2 id="audit-h">Audit trail</h2>
          ${n.audit.length===0?Y`<p>No change yet.</p>`:Y`<table data-testid="audit">
                  <thead><tr><th scope="col">When</th><th scope="col">Target</th><th scope="col">Change</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
                  <tbody>
                    ${n.audit.map(e=>Y`<tr>
                        <td>${Z(e.changed_at)}</td><td class="mono">${e.target}</td>
                        <td>${e.engaged?`engaged`:`released`}</td><td>${e.actor}</td><td>${e.reason}</td>
                      </tr>`)}
                  </tbody>
                </table>`}
        </section>
      </div>`}
    <${Le} pending=${a} onCancel=${()=>o(null)} onConfirm=${l} />
  `}var ze=3e3;function Be(e){let t=e.values;if(t.length<2)return null;let n=Math.max(1,...t),r=t.map((e,r)=>`${r/(t.length-1)*200},${40-e/n*38}`).join(` `);return Y`<svg class="spark" viewBox="0 0 200 40" role="img" aria-label=${`Decisions per second over the last ${t.length} seconds, peak ${n.toFixed(1)}`}>
    <polyline points=${r} fill="none" stroke="currentColor" stroke-width="1.5" />
  </svg>`}function $(e){return Y`<div class=${`stat ${e.tone??``}`}>
    <dt>${e.label}</dt>
    <dd data-testid=${e.id}>${e.value}</dd>
  </div>`}function Ve({s:e}){let t=e.decisions;return Y`<section aria-labelledby="traffic-h" class="card wide">
    <h2 id="traffic-h">Decisions <small>(last ${Q(e.window_seconds,0)} s, this replica)</small></h2>
    <dl class="stats">
      <${$} label="Decisions/s" id="rate" value=${Q(t.per_second)} />
      <${$} label="Allow/s" value=${Q(t.by_outcome.allow)} />
      <${$} label="Review/s" value=${Q(t.by_outcome.review)} />
      <${$} label="Block/s" value=${Q(t.by_outcome.block)} />
      <${$} label="Normal/s" value=${Q(t.by_mode.normal)} />
      <${$} label="Rules only/s" value=${Q(t.by_mode.rules_only)} tone=${t.by_mode.rules_only>0?`warn`:void 0} />
      <${$} label="Degraded/s" value=${Q(t.by_mode.degraded)} tone=${t.by_mode.degraded>0?`bad`:void 0} />
      <${$} label="Degraded share" id="degraded-share" value=${Ne(t.degraded_share)} tone=${(t.degraded_share??0)>.01?`bad`:void 0} />
      <${$} label="Latency p50" id="p50" value=${e.latency_ms.p50===null?`—`:`${Q(e.latency_ms.p50,2)} ms`} />
      <${$} label="Latency p99" id="p99" value=${e.latency_ms.p99===null?`—`:`${Q(e.latency_ms.p99,2)} ms`} />
    </dl>
    <${Be} values=${t.per_second_series} />
  </section>`}function He({s:e}){return Y`<section aria-labelledby="health-h" class="card">
    <h2 id="health-h">Dependencies</h2>
    <table>
      <caption class="sr-only">Circuit breakers and the kill-switch</caption>
      <thead><tr><th scope="col">Part</th><th scope="col">State</th></tr></thead>
      <tbody>
        <tr>
          <th scope="row">Kill-switch (global)</th>
          <td data-testid="live-kill-switch"><span class=${`badge ${e.kill_switch.global_engaged?`bad`:`ok`}`}>${e.kill_switch.global_engaged?`engaged: rules only`:`released`}</span>
          ${e.kill_switch.stale?Y` <span class="badge warn">stale</span>`:null}</td>
        </tr>
        ${e.breakers.map(e=>Y`<tr><th scope="row">${e.dependency} breaker</th>
            <td><span class=${`badge ${e.state===`closed`?`ok`:e.state===`open`?`bad`:`warn`}`}>${e.state.replace(`_`,`-`)}</span></td></tr>`)}
      </tbody>
    </table>
  </section>`}function Ue({s:e}){return Y`<section aria-labelledby="models-h" class="card">
    <h2 id="models-h">Models</h2>
    <table>
      <thead><tr><th scope="col">Version</th><th scope="col">Role</th><th scope="col">Serving</th><th scope="col">Share</th></tr></thead>
      <tbody>
        ${e.models.map(e=>Y`<tr>
            <th scope="row"><span class="mono">${e.version}</span></th>
            <td>${e.role}${e.canary_percent===void 0?``:` (${e.canary_percent} % of users)`}</td>
            <td><span class=${`badge ${e.serving?`ok`:`bad`}`}>${e.serving?`yes`:`off`}</span></td>
            <td>${Ne(e.decided_share)}</td>
          </tr>`)}
      </tbody>
    </table>
  </section>`}function We({s:e}){let t=e.review;if(!t)return Y`<section class="card"><h2>Review backlog</h2><p role="status">The review queue cannot be read right now.</p></section>`;let n=t.sla_remaining_seconds!==null&&t.sla_remaining_seconds<0;return Y`<section aria-labelledby="review-h" class="card">
    <h2 id="review-h">Review backlog</h2>
    <dl class="stats">
      <${$} label="Open" id="backlog-open" value=${String(t.open)} />
      <${$} label="Claimed" value=${String(t.claimed)} />
      <${$} label="Oldest waiting" value=${Me(t.oldest_open_age_seconds)} />
      <${$} label=${`SLA (${t.sla_minutes} min) left`} value=${Me(t.sla_remaining_seconds)} tone=${n?`bad`:void 0} />
      <${$} label="Budget today" value=${`${t.budget_used} / ${t.budget_capacity}`} tone=${t.budget_used>=t.budget_capacity?`warn`:void 0} />
      <${$} label="Expired unreviewed" value=${String(t.expired)} tone=${t.expired>0?`warn`:void 0} />
    </dl>
  </section>`}function Ge({s:e}){return Y`<section aria-labelledby="rules-h" class="card wide">
    <h2 id="rules-h">Rule hits</h2>
    ${e.rules.length===0?Y`<p>No rule has matched since this replica started.</p>`:Y`<table>
            <thead><tr><th scope="col">Rule</th><th scope="col">Action</th><th scope="col" class="num">Hits/s</th><th scope="col" class="num">Since start</th></tr></thead>
            <tbody>
              ${e.rules.map(e=>Y`<tr>
                  <th scope="row"><span class="mono">${e.id}</span>${e.shadow?Y` <span class="badge">shadow</span>`:null}</th>
                  <td>${e.action}</td><td class="num">${Q(e.per_second,2)}</td><td class="num">${e.total}</td>
                </tr>`)}
            </tbody>
          </table>`}
  </section>`}function Ke(e){let{data:t,error:n}=Fe(`live`,e.api.summary,ze,e.onAuthError);return Y`
    <h2 class="view-title">Live</h2>
    <p class="meta" aria-live="off">${t?`Updated ${new Date(t.generated_at).toLocaleTimeString()}; refreshes every ${ze/1e3} s.`:`Loading…`}</p>
    ${n&&Y`<p role="alert" class="error">${n}</p>`}
    ${t&&Y`<div class="grid" data-testid="live">
        <${Ve} s=${t} />
        <${He} s=${t} />
        <${Ue} s=${t} />
        <${We} s=${t} />
        <${Ge} s=${t} />
      </div>`}
  `}var qe=[`open`,`claimed`,`resolved`,`expired`];function Je(e){let[t,n]=G(Date.now());return K(()=>{if(!e)return;let t=setInterval(()=>n(Date.now()),1e3);return()=>clearInterval(t)},[e]),e?(Date.parse(e)-t)/1e3:null}function Ye(e){let{c:t}=e,[n,r]=G(``),[i,a]=G(``),[o,s]=G(null),[c,l]=G(!1),u=Je(t.lease_expires_at),d=t.status===`claimed`&&t.claimed_by===e.reviewer&&(u??0)>0,f=async t=>{l(!0),s(null);try{e.onChange(await t())}catch(e){s(e instanceof J?`${e.message} (${e.code})`:String(e))}finally{l(!1)}},p=r=>(r.preventDefault(),n===``?s(`Choose fraud or legit.`):i.trim()===``?s(`Write a note: what you checked and why.`):f(()=>e.api.resolve(t.id,n,i.trim()))),m=Object.entries(t.features??{});return Y`<section class="card detail" aria-labelledby="case-h" data-testid="case-detail">
    <div class="detail-head">
      <h2 id="case-h" tabindex="-1">Case <span class="mono">${t.id}</span></h2>
      <button type="button" class="secondary small" onClick=${e.onClose}>Back to the list</button>
    </div>
    <dl class="kv">
      <dt>Status</dt><dd data-testid="case-status">${t.status}${t.resolution?`: ${t.resolution}`:``}</dd>
      <dt>Score</dt><dd>${t.score===null?`— (no model)`:Q(t.score,3)}</dd>
      <dt>Amount</dt><dd>${Q(t.amount_eur,2)} EUR</dd>
      <dt>Priority (expected loss)</dt><dd>${Q(t.priority,2)} EUR</dd>
      <dt>Opened</dt><dd>${Z(t.created_at)}</dd>
      <dt>SLA deadline</dt><dd>${Z(t.sla_deadline)}</dd>
      <dt>Claimed by</dt><dd>${t.claimed_by??`—`}</dd>
      <dt>Lease</dt><dd data-testid="lease">${t.lease_expires_at?`until ${Z(t.lease_expires_at)} (${u!==null&&u>0?`${Me(u)} left`:`expired`})`:`—`}</dd>
      ${t.resolved_by?Y`<dt>Resolved by</dt><dd>${t.resolved_by} at ${Z(t.resolved_at)}: ${t.note}</dd>`:null}
    </dl>
    <h3>Reasons</h3>
    <ul>${t.reasons.map(e=>Y`<li><span class="mono">${e.code}</span>: ${e.detail}</li>`)}</ul>
    <h3>Rules that matched</h3>
    ${t.rules.length===0?Y`<p>None.</p>`:Y`<ul>${t.rules.map(e=>Y`<li><span class="mono">${e.id}</span> → ${e.action}${e.shadow?` (shadow)`:``}</li>`)}</ul>`}
    <details open=${m.length<=40}>
      <summary>Features as scored (${m.length})</summary>
      ${m.length===0?Y`<p>Not recorded for this case.</p>`:Y`<table class="features"><thead><tr><th scope="col">Feature</th><th scope="col" class="num">Value</th></tr></thead>
            <tbody>${m.map(([e,t])=>Y`<tr><th scope="row" class="mono">${e}</th><td class="num">${Number.isInteger(t)?t:t.toFixed(4)}</td></tr>`)}</tbody></table>`}
    </details>
    ${o&&Y`<p role="alert" class="error">${o}</p>`}
    ${t.status===`open`||t.status===`claimed`&&!d?Y`<button type="button" onClick=${()=>f(()=>e.api.claim(t.id))} disabled=${c||t.status===`claimed`&&!d}>
            ${t.status===`claimed`?`Held by ${t.claimed_by}`:`Claim this case`}</button>`:null}
    ${d&&Y`<form class="resolve" onSubmit=${p}>
        <fieldset>
          <legend>Decision</legend>
          <label><input type="radio" name="label" value="fraud" checked=${n===`fraud`} onChange=${()=>r(`fraud`)} /> Fraud</label>
          <label><input type="radio" name="label" value="legit" checked=${n===`legit`} onChange=${()=>r(`legit`)} /> Legit</label>
        </fieldset>
        <label for="note">Note (required)</label>
        <textarea id="note" required maxlength="2000" rows="3" value=${i} onInput=${e=>a(e.target.value)}></textarea>
        <div class="actions">
          <button type="button" class="secondary" onClick=${()=>f(()=>e.api.claim(t.id))} disabled=${c}>Renew lease</button>
          <button type="submit" disabled=${c}>Resolve</button>
        </div>
      </form>`}
  </section>`}function Xe(e){let[t,n]=G(`open`),[r,i]=G(null),{data:a,error:o,reload:s}=Fe(`review`,()=>e.api.cases(t),5e3,e.onAuthError);return K(()=>void s(),[t]),K(()=>{r&&document.getElementById(`case-h`)?.focus()},[r?.id]),r?Y`<h2 class="view-title">Review queue</h2>
      <${Ye} api=${e.api} c=${r} reviewer=${e.reviewer}
        onChange=${e=>{i(e),s()}}
        onClose=${()=>i(null)} />`:Y`
    <h2 class="view-title">Review queue</h2>
    <div class="toolbar">
      <label for="status">Show</label>
      <select id="status" value=${t} onChange=${e=>n(e.target.value)}>
        ${qe.map(e=>Y`<option value=${e}>${e}</option>`)}
      </select>
      <button type="button" class="secondary small" onClick=${()=>void s()}>Refresh</button>
    </div>
    ${o&&Y`<p role="alert" class="error">${o}</p>`}
    ${a&&(a.cases.length===0?Y`<p role="status">No ${t} cases.</p>`:Y`<table data-testid="cases">
            <caption class="sr-only">${t} review cases, highest expected loss first</caption>
            <thead><tr><th scope="col">Case</th><th scope="col" class="num">Amount EUR</th><th scope="col" class="num">Score</th>
              <th scope="col" class="num">Priority</th><th scope="col">SLA deadline</th><th scope="col">Holder / lease</th></tr></thead>
            <tbody>
              ${a.cases.map(e=>Y`<tr>
                  <th scope="row"><button type="button" class="link mono" onClick=${()=>i(e)}>${e.id}</button></th>
                  <td class="num">${Q(e.amount_eur,2)}</td><td class="num">${e.score===null?`—`:Q(e.score,3)}</td>
                  <td class="num">${Q(e.priority,2)}</td><td>${Z(e.sla_deadline)}</td>
                  <td>${e.claimed_by?`${e.claimed_by}${e.lease_expires_at?` until ${Z(e.lease_expires_at)}`:``}`:`—`}</td>
                </tr>`)}
            </tbody>
          </table>`)}
  `}function Ze(e){let[t,n]=G(``),[r,i]=G(null),[a,o]=G(!1);return Y`
    <main class="sign-in">
      <h1>riskgate console</h1>
      <form onSubmit=${async n=>{n.preventDefault(),o(!0),i(null);try{await e.onSignIn(t.trim())}catch(e){i(e instanceof J&&e.status===401?`That API key is not valid.`:String(e))}finally{o(!1)}}} aria-describedby="key-help">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          required
          minlength="16"
          value=${t}
          onInput=${e=>n(e.target.value)}
          aria-invalid=${r?`true`:void 0}
        />
        <p id="key-help" class="help">
          Your personal key. It is kept in this tab's session storage only and sent to this server alone.
        </p>
        ${r&&Y`<p role="alert" class="error">${r}</p>`}
        <button type="submit" disabled=${a}>${a?`Signing in…`:`Sign in`}</button>
      </form>
    </main>
  `}var Qe=[{id:`live`,label:`Live`,allowed:e=>e.scopes.includes(`admin`)||e.scopes.includes(`review`)},{id:`kill-switch`,label:`Kill-switch`,allowed:e=>e.scopes.includes(`admin`)},{id:`review`,label:`Review queue`,allowed:e=>e.scopes.includes(`review`)}],$e=()=>{let e=location.hash.replace(/^#\/?/,``);return Qe.some(t=>t.id===e)?e:null};function et(){let[e,t]=G(null),[n,r]=G(Te()!==null),[i,a]=G($e());K(()=>{let e=()=>{let e=$e();e&&performance.mark(`nav:${e}`),a(e)};return addEventListener(`hashchange`,e),()=>removeEventListener(`hashchange`,e)},[]);let o=async e=>{let n=new Oe(e),r=await n.session();Ee(e);for(let e of Qe)performance.mark(`nav:${e.id}`);t({api:n,session:r})},s=()=>{De(),t(null)};if(K(()=>{let e=Te();e&&o(e).catch(()=>De()).finally(()=>r(!1))},[]),n)return Y`<p class="boot">Signing in…</p>`;if(!e)return Y`<${Ze} onSignIn=${o} />`;let c=Qe.filter(t=>t.allowed(e.session)),l=c.find(e=>e.id===i)??c[0],u=e=>{e instanceof J&&e.status===401&&s()};return Y`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <h1>riskgate console</h1>
      <nav aria-label="Views">
        <ul>
          ${c.map(e=>Y`<li><a href=${`#${e.id}`} aria-current=${e.id===l?.id?`page`:void 0}>${e.label}</a></li>`)}
        </ul>
      </nav>
      <p class="who">
        Signed in as <strong data-testid="who">${e.session.name}</strong>
        <span class="scopes">(${e.session.scopes.join(`, `)})</span>
        <button type="button" class="link" onClick=${s}>Sign out</button>
      </p>
    </header>
    <main id="main" tabindex="-1">
      ${l===void 0?Y`<p role="status">This key may only score checkouts (scope: ${e.session.scopes.join(`, `)}):
              the console has nothing to show it.</p>`:l.id===`live`?Y`<${Ke} api=${e.api} onAuthError=${u} />`:l.id===`kill-switch`?Y`<${Re} api=${e.api} onAuthError=${u} />`:Y`<${Xe} api=${e.api} reviewer=${e.session.name} onAuthError=${u} />`}
    </main>
  `}var tt=$e();performance.mark(`nav:${tt??`live`}`);var nt=document.getElementById(`app`);nt.replaceChildren(),L(Y`<${et} />`,nt);