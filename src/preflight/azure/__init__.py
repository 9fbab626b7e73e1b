"""Azure, behind small interfaces: the only package that imports the Azure SDKs.

``identity`` turns settings into an azure-identity credential, ``arm`` wraps Azure Resource
Manager (registries, scope maps, tokens, passwords), ``models`` holds the frozen results both
return. Every SDK import happens inside a function, so ``preflight --help`` and ``preflight
images`` never pay for the SDKs.
"""
