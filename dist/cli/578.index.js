export const id = 578;
export const ids = [578];
export const modules = {

/***/ 2578:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   printSpecs: () => (/* binding */ printSpecs)
/* harmony export */ });
/* harmony import */ var _actions_registry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9647);

/** `kfp-gitops specs`: every action's inputs and outputs as JSON (drives action.yml and the README). */
async function printSpecs() {
    process.stdout.write(JSON.stringify(_actions_registry_js__WEBPACK_IMPORTED_MODULE_0__/* .actions */ .o.map((a) => a.spec), null, 2) + '\n');
    return 0;
}


/***/ })

};
