// Evaluates every expression of a JSON list (args[0]) with a real Groovy runtime and prints
// one JSON object: expression text -> its canonical rendering (see groovy_oracle.py).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper

def scope() {
    [
        params  : [a: 1, s: 'abc', empty: '', flag: false, on: true, zero: 0,
                   list: [1, 2], map: [k: 'v'], name: 'sample_1', csv: 'x,y,,z'],
        workflow: [containerEngine: 'docker', profile: 'standard'],
        task    : [ext: [:], cpus: 4, process: 'FASTQC'],
    ]
}

String render(Object v) {
    if (v == null) return 'null'
    if (v instanceof Boolean) return "bool:${v}"
    if (v instanceof Number) return 'num:' + new BigDecimal(v.toString()).stripTrailingZeros().toPlainString()
    if (v instanceof CharSequence) return 'str:' + v.toString()
    if (v.getClass().isArray()) return render(v as List)
    if (v instanceof Collection) return 'list:[' + v.collect { render(it) }.join(', ') + ']'
    if (v instanceof Map) return 'map:[' + v.collect { k, x -> "${k}=${render(x)}" }.join(', ') + ']'
    return 'other:' + v.getClass().simpleName
}

def answers = [:]
for (String text in new JsonSlurper().parse(new File(args[0]))) {
    try {
        def shell = new GroovyShell(new Binding(scope()))
        answers[text] = render(shell.evaluate(text))
    } catch (Throwable e) {
        answers[text] = 'error'
    }
}
println JsonOutput.prettyPrint(JsonOutput.toJson(answers.sort()))
