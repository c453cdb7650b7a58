// Recognises model files that are not ONNX by their first bytes, so init can say what the file
// is and the one line that exports it to ONNX (MS_GEN_MODEL_FORMAT lists them).

/** What the file looks like when it is a known non-ONNX format, else undefined. */
export function notOnnxFormat(bytes: Uint8Array): string | undefined {
  const b0 = bytes[0];
  const ascii = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  // pickle protocol 2-5 starts with PROTO (0x80) and the protocol number; joblib writes pickles too.
  if (b0 === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5)
    return 'a Python pickle (pickle.dump / joblib.dump)';
  // joblib with compress=True: a zlib stream (0x78 0x01/0x5e/0x9c/0xda).
  if (b0 === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(bytes[1] ?? -1))
    return 'a compressed joblib file (joblib.dump(..., compress=...))';
  if (ascii.startsWith('binf')) return 'an XGBoost binary model (Booster.save_model("*.bin"))';
  if (
    ascii.startsWith('{"learner"') ||
    ascii.startsWith('{L\u0000\u0000\u0000\u0007learner') ||
    (b0 === 0x7b && ascii.includes('learner'))
  )
    return 'an XGBoost JSON/UBJSON model';
  if (ascii.startsWith('tree\n') || ascii.startsWith('tree\r\n')) return 'a LightGBM text model (Booster.save_model)';
  if (ascii.startsWith('PK\u0003\u0004')) return 'a zip archive (torch.save / a Keras .keras file)';
  if (ascii.startsWith('\u0089HDF')) return 'an HDF5 file (a Keras .h5 model)';
  return undefined;
}
