/** A module that throws when imported: loadAdapter refuses it (ADAPTER_LOAD_FAILED). */
throw new Error('this adapter module is broken');
