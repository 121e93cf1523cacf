package usbdoc

// Reason says why a file is not attachable; the empty Reason means it is.
type Reason string

// The reasons a file is not offered.
const (
	ReasonNone       Reason = ""
	ReasonType       Reason = "type"        // not a PDF, JPEG, PNG or HEIC/HEIF by its content
	ReasonTooBig     Reason = "too-big"     // over Config.MaxSize
	ReasonNotRegular Reason = "not-regular" // a symlink, device, pipe...
	ReasonName       Reason = "name"        // "..", a control character, invalid UTF-8
	ReasonTooDeep    Reason = "too-deep"    // a directory under Config.MaxDepth
	ReasonThreat     Reason = "threat"      // the antivirus detected a threat
	ReasonNoScan     Reason = "no-scan"     // the antivirus could not scan it: fail closed
	ReasonUnreadable Reason = "unreadable"  // a read error
)

// messages are what the document panel shows, in the portal's languages.
var messages = map[Reason]map[string]string{
	ReasonType: {
		"fr": "non accepté : seuls les PDF, JPEG, PNG et HEIC sont acceptés",
		"en": "not accepted: only PDF, JPEG, PNG and HEIC files are accepted",
		"ar": "غير مقبول: تُقبل ملفات PDF وJPEG وPNG وHEIC فقط",
		"es": "no aceptado: solo se aceptan archivos PDF, JPEG, PNG y HEIC",
		"pt": "não aceite: só são aceites ficheiros PDF, JPEG, PNG e HEIC",
		"ru": "не принято: принимаются только файлы PDF, JPEG, PNG и HEIC",
		"tr": "kabul edilmedi: yalnızca PDF, JPEG, PNG ve HEIC dosyaları kabul edilir",
	},
	ReasonTooBig: {
		"fr": "non accepté : fichier de plus de 20 Mo",
		"en": "not accepted: file over 20 MB",
		"ar": "غير مقبول: الملف أكبر من 20 ميغابايت",
		"es": "no aceptado: archivo de más de 20 MB",
		"pt": "não aceite: ficheiro com mais de 20 MB",
		"ru": "не принято: файл больше 20 МБ",
		"tr": "kabul edilmedi: dosya 20 MB'tan büyük",
	},
	ReasonNotRegular: {
		"fr": "non accepté : ce n'est pas un fichier ordinaire",
		"en": "not accepted: not a regular file",
		"ar": "غير مقبول: ليس ملفًا عاديًا",
		"es": "no aceptado: no es un archivo normal",
		"pt": "não aceite: não é um ficheiro normal",
		"ru": "не принято: это не обычный файл",
		"tr": "kabul edilmedi: normal bir dosya değil",
	},
	ReasonName: {
		"fr": "non accepté : nom de fichier invalide",
		"en": "not accepted: invalid file name",
		"ar": "غير مقبول: اسم الملف غير صالح",
		"es": "no aceptado: nombre de archivo no válido",
		"pt": "não aceite: nome de ficheiro inválido",
		"ru": "не принято: недопустимое имя файла",
		"tr": "kabul edilmedi: geçersiz dosya adı",
	},
	ReasonTooDeep: {
		"fr": "non accepté : dossier trop profond",
		"en": "not accepted: folder nested too deep",
		"ar": "غير مقبول: المجلد عميق جدًا",
		"es": "no aceptado: carpeta demasiado profunda",
		"pt": "não aceite: pasta demasiado profunda",
		"ru": "не принято: слишком глубокая вложенность папок",
		"tr": "kabul edilmedi: klasör çok derinde",
	},
	ReasonThreat: {
		"fr": "refusé : menace détectée",
		"en": "refused: threat detected",
		"ar": "مرفوض: تم اكتشاف تهديد",
		"es": "rechazado: amenaza detectada",
		"pt": "recusado: ameaça detetada",
		"ru": "отклонено: обнаружена угроза",
		"tr": "reddedildi: tehdit algılandı",
	},
	ReasonNoScan: {
		"fr": "non accepté : l'antivirus est indisponible",
		"en": "not accepted: the antivirus is unavailable",
		"ar": "غير مقبول: برنامج مكافحة الفيروسات غير متاح",
		"es": "no aceptado: el antivirus no está disponible",
		"pt": "não aceite: o antivírus está indisponível",
		"ru": "не принято: антивирус недоступен",
		"tr": "kabul edilmedi: antivirüs kullanılamıyor",
	},
	ReasonUnreadable: {
		"fr": "non accepté : fichier illisible",
		"en": "not accepted: the file cannot be read",
		"ar": "غير مقبول: تعذرت قراءة الملف",
		"es": "no aceptado: no se puede leer el archivo",
		"pt": "não aceite: não é possível ler o ficheiro",
		"ru": "не принято: файл не читается",
		"tr": "kabul edilmedi: dosya okunamıyor",
	},
}

// Languages are the languages Message knows, French first.
var Languages = []string{"fr", "en", "ar", "es", "pt", "ru", "tr"}

// Message is the reason as the resident reads it in lang (one of
// Languages; French for any other), empty for ReasonNone.
func (r Reason) Message(lang string) string {
	m := messages[r]
	if s, ok := m[lang]; ok {
		return s
	}
	return m["fr"]
}
